"""oauthlib's own OAuth 1 client (oauthlib.oauth1.Client, the signer under requests-oauthlib) against
oauthlib's own provider (oauthlib_oauth1.py), with Python's urllib: proves that the provider refuses a
PLAINTEXT signature sent in the body or the query when the client secret holds characters RFC 5849
§3.6 percent-encodes. oauthlib decodes the form and the query, then percent-decodes every `oauth_`
value a second time (signature.collect_parameters), so `c%2B` (the encoded `+` inside a PLAINTEXT
signature) is read as `c+`. HMAC-SHA1, whose base64 signature holds no `%`, is the control.

argv: the provider's URL, the client id, the client secret. Prints one JSON object: the request token
endpoint's HTTP status per signature method and placement. With a fourth argument `--nonce=N`, signs one
HMAC-SHA1 request with that nonce instead and prints its status and body.
"""
import json
import sys
import urllib.error
import urllib.request

from oauthlib.oauth1 import (
    SIGNATURE_HMAC_SHA1, SIGNATURE_PLAINTEXT, SIGNATURE_TYPE_AUTH_HEADER, SIGNATURE_TYPE_BODY, SIGNATURE_TYPE_QUERY, Client,
)

base, client_id, client_secret = sys.argv[1:4]
CALLBACK = 'http://127.0.0.1:8976/interop/callback'
PLACEMENTS = {'header': SIGNATURE_TYPE_AUTH_HEADER, 'body': SIGNATURE_TYPE_BODY, 'query': SIGNATURE_TYPE_QUERY}


def request_token_status(method, placement):
    client = Client(client_id, client_secret=client_secret, callback_uri=CALLBACK, signature_method=method, signature_type=PLACEMENTS[placement])
    # A form parameter, which the signature covers in every placement.
    uri, headers, body = client.sign(base + '/request_token', http_method='POST', body='x=1', headers={'Content-Type': 'application/x-www-form-urlencoded'})
    try:
        with urllib.request.urlopen(urllib.request.Request(uri, data=body.encode(), headers=headers, method='POST')) as response:
            return response.status
    except urllib.error.HTTPError as e:
        return e.code


def with_nonce(nonce):
    client = Client(client_id, client_secret=client_secret, callback_uri=CALLBACK, nonce=nonce)
    uri, headers, body = client.sign(base + '/request_token', http_method='POST')
    try:
        with urllib.request.urlopen(urllib.request.Request(uri, data=b'', headers=headers, method='POST')) as response:
            return {'status': response.status, 'body': response.read().decode()}
    except urllib.error.HTTPError as e:
        return {'status': e.code, 'body': e.read().decode()}


if len(sys.argv) > 4 and sys.argv[4].startswith('--nonce='):
    print(json.dumps(with_nonce(sys.argv[4].split('=', 1)[1])))
    sys.exit(0)

print(json.dumps({method: {placement: request_token_status(method, placement) for placement in PLACEMENTS} for method in (SIGNATURE_PLAINTEXT, SIGNATURE_HMAC_SHA1)}))
