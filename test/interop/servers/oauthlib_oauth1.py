"""OAuth 1.0a provider from oauthlib's `WebApplicationServer` (Debian python3-oauthlib 3.2.2: request
token, authorization, access token and protected resource endpoints) with the RequestValidator below,
in memory, on Flask: HMAC-SHA1, PLAINTEXT and RSA-SHA1 (oauthlib verifies RSA with PyJWT).

POST /request_token, GET /authorize (the user `alice` approves at once: the redirect), POST
/access_token, and the protected GET /api/me (echoes the query) and POST /api/echo (echoes the form).
oauthlib's default limits on the client key stay (10 to 40 characters here, for the test's keys with
`-` and `_`) and on the nonce (20 to 30 characters) unless `--nonce-length=MIN,MAX`. Run with
/usr/bin/python3; prints {"port": N}; argv[1] is the clients as JSON:
[{"client_id", "client_secret", "rsa_public_key" (PEM, optional)}].
"""
import hmac
import json
import string
import sys

from flask import Flask, jsonify, request
from oauthlib.oauth1 import OAuth1Error, RequestValidator, WebApplicationServer

from _oauthlib_http import flask_response, oauthlib_request
from _serve import serve

CALLBACK = 'http://127.0.0.1:8976/interop/callback'
clients = {}
request_tokens = {}  # oauth_token -> {client_key, secret, callback, verifier, user}
access_tokens = {}  # oauth_token -> {client_key, secret, user}
nonces = set()
options = {'nonce_length': (20, 30)}


class Validator(RequestValidator):
    enforce_ssl = False  # http on 127.0.0.1 only
    allowed_signature_methods = ('HMAC-SHA1', 'PLAINTEXT', 'RSA-SHA1')
    safe_characters = set(string.ascii_letters + string.digits + '-_')
    client_key_length = (10, 40)
    # Used in place of an unknown client or token, so a refusal takes as long as a check.
    dummy_client = 'dummy-client'
    dummy_request_token = 'dummyRequestToken0000'
    dummy_access_token = 'dummyAccessToken00000'

    @property
    def nonce_length(self):
        return options['nonce_length']

    def get_client_secret(self, client_key, request):
        return clients[client_key]['client_secret'] if client_key in clients else 'dummy-secret'

    def get_rsa_key(self, client_key, request):
        return clients.get(client_key, {}).get('rsa_public_key')

    def get_request_token_secret(self, client_key, token, request):
        return request_tokens.get(token, {}).get('secret', 'dummy-secret')

    def get_access_token_secret(self, client_key, token, request):
        return access_tokens.get(token, {}).get('secret', 'dummy-secret')

    def get_default_realms(self, client_key, request):
        return []

    def get_realms(self, token, request):
        return []

    def validate_requested_realms(self, client_key, realms, request):
        return True

    def validate_realms(self, client_key, token, request, uri=None, realms=None):
        return True

    def verify_realms(self, token, realms, request):
        return True

    def validate_client_key(self, client_key, request):
        return client_key in clients

    def validate_redirect_uri(self, client_key, redirect_uri, request):
        return redirect_uri == CALLBACK

    def validate_timestamp_and_nonce(self, client_key, timestamp, nonce, request, request_token=None, access_token=None):
        # oauthlib checks the timestamp's age; the nonce must be new for this client, time and token.
        key = (client_key, timestamp, nonce, request_token or access_token)
        if key in nonces:
            return False
        nonces.add(key)
        return True

    # Temporary credentials (RFC 5849 §2.1) and the user's authorization (§2.2).
    def save_request_token(self, token, request):
        request_tokens[token['oauth_token']] = {'client_key': request.client_key, 'secret': token['oauth_token_secret'], 'callback': request.redirect_uri}

    def verify_request_token(self, token, request):
        return token in request_tokens

    def get_redirect_uri(self, token, request):
        return request_tokens[token]['callback']

    def save_verifier(self, token, verifier, request):
        # alice is signed in and approves.
        request_tokens[token].update(verifier=verifier['oauth_verifier'], user='alice')

    # Token credentials (§2.3).
    def validate_request_token(self, client_key, token, request):
        item = request_tokens.get(token)
        return bool(item) and item['client_key'] == client_key

    def validate_verifier(self, client_key, token, verifier, request):
        item = request_tokens.get(token)
        if not item or item['client_key'] != client_key or not hmac.compare_digest(item.get('verifier', ''), verifier):
            return False
        request.user = item['user']
        return True

    def save_access_token(self, token, request):
        access_tokens[token['oauth_token']] = {'client_key': request.client_key, 'secret': token['oauth_token_secret'], 'user': request.user}

    def invalidate_request_token(self, client_key, request_token, request):
        request_tokens.pop(request_token, None)

    # Protected resources (§3).
    def validate_access_token(self, client_key, token, request):
        item = access_tokens.get(token)
        return bool(item) and item['client_key'] == client_key


server = WebApplicationServer(Validator())
app = Flask(__name__)


@app.post('/request_token')
def request_token():
    return flask_response(*server.create_request_token_response(*oauthlib_request()))


@app.get('/authorize')
def authorize():
    try:
        return flask_response(*server.create_authorization_response(*oauthlib_request()))
    except OAuth1Error as e:
        return e.urlencoded, e.status_code, {'Content-Type': 'application/x-www-form-urlencoded'}


@app.post('/access_token')
def access_token():
    return flask_response(*server.create_access_token_response(*oauthlib_request()))


def protected(echo):
    valid, oauth_request = server.validate_protected_resource_request(*oauthlib_request())
    if not valid:
        return jsonify(error='invalid_request'), 401, {'WWW-Authenticate': 'OAuth'}
    user = access_tokens[oauth_request.resource_owner_key]['user']
    return jsonify(user=user, **{key: sorted([k, v] for k, v in values.items(multi=True) if not k.startswith('oauth_')) for key, values in echo().items()})


@app.get('/api/me')
def api_me():
    return protected(lambda: {'query': request.args})


@app.post('/api/echo')
def api_echo():
    return protected(lambda: {'form': request.form})


if __name__ == '__main__':
    for spec in json.loads(sys.argv[1]):
        clients[spec['client_id']] = spec
    for arg in sys.argv[2:]:
        if arg.startswith('--nonce-length='):
            options['nonce_length'] = tuple(int(n) for n in arg.split('=', 1)[1].split(','))
    serve(app)
