"""Authlib's own OAuth 1 client (authlib.oauth1.ClientAuth, the signer under its requests and httpx
integrations) against Authlib's own provider (authlib_oauth1.py): proves that the provider's
ResourceProtector refuses correctly signed requests whose query holds a `+` (a value or a base64
signature), and fails on a non-ASCII query, whichever client signs them.

argv: the provider's URL, the client id, the client secret. Prints one JSON object.
"""
import http.client
import json
import os
import sys
from urllib.parse import parse_qsl, urlsplit

# http on 127.0.0.1 only: Authlib refuses plain http unless told otherwise.
os.environ['AUTHLIB_INSECURE_TRANSPORT'] = '1'

from authlib.oauth1 import SIGNATURE_TYPE_HEADER, SIGNATURE_TYPE_QUERY, ClientAuth

base, client_id, client_secret = sys.argv[1:4]
CALLBACK = 'http://127.0.0.1:8976/interop/callback'


def send(method, uri, headers, body):
    parts = urlsplit(uri)
    conn = http.client.HTTPConnection(parts.hostname, parts.port)
    path = parts.path + ('?' + parts.query if parts.query else '')
    conn.request(method, path, body=body or None, headers=dict(headers))
    response = conn.getresponse()
    return response.status, response.getheader('location'), response.read().decode()


def signed(auth, method, uri, body=''):
    headers = {'Content-Type': 'application/x-www-form-urlencoded'} if body else {}
    uri, headers, body = auth.prepare(method, uri, headers, body)
    return uri, send(method, uri, headers, body)


# The three-legged flow, signed in the header by Authlib's client.
_, (status, _, text) = signed(ClientAuth(client_id, client_secret, redirect_uri=CALLBACK), 'POST', base + '/request_token')
temporary = dict(parse_qsl(text))
_, location, _ = send('GET', base + '/authorize?oauth_token=' + temporary['oauth_token'], {}, '')
verifier = dict(parse_qsl(urlsplit(location).query))['oauth_verifier']
auth = ClientAuth(client_id, client_secret, token=temporary['oauth_token'], token_secret=temporary['oauth_token_secret'], verifier=verifier)
_, (status, _, text) = signed(auth, 'POST', base + '/access_token')
token = dict(parse_qsl(text))


def api(query, signature_type=SIGNATURE_TYPE_HEADER):
    client = ClientAuth(client_id, client_secret, token=token['oauth_token'], token_secret=token['oauth_token_secret'], signature_type=signature_type)
    uri, (status, _, _) = signed(client, 'GET', base + '/api/me?' + query)
    signature = dict(parse_qsl(urlsplit(uri).query)).get('oauth_signature')
    return status, signature


result = {
    'callback_confirmed': temporary.get('oauth_callback_confirmed'),
    'plain_query_in_header': api('q=a%20b')[0],
    'plus_in_query_value': api('q=1%2B1')[0],
    'non_ascii_query': api('q=%C3%A9')[0],
    # Query-signed: [does the base64 signature hold a `+`?, the status]
    'query_signed': [[('+' in signature), status] for status, signature in (api('n=%d' % i, SIGNATURE_TYPE_QUERY) for i in range(24))],
}
print(json.dumps(result))
