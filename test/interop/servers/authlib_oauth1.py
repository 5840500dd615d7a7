"""OAuth 1.0a provider from Authlib's flask_oauth1 AuthorizationServer and ResourceProtector (Debian
python3-authlib 1.2.0), in memory: HMAC-SHA1, PLAINTEXT and RSA-SHA1.

POST /request_token, GET /authorize (the user `alice` approves at once: the redirect), POST
/access_token, and the protected GET /api/me (echoes the query) and POST /api/echo (echoes the form).
Run with /usr/bin/python3; prints {"port": N}; argv[1] is the clients as JSON:
[{"client_id", "client_secret", "rsa_public_key" (PEM, optional)}].
"""
import json
import os
import sys
import time

# http on 127.0.0.1 only: Authlib refuses plain http unless told otherwise.
os.environ['AUTHLIB_INSECURE_TRANSPORT'] = '1'

from flask import Flask, jsonify, request
from authlib.integrations.flask_oauth1 import (
    AuthorizationServer, ResourceProtector, create_exists_nonce_func, current_credential,
    register_nonce_hooks, register_temporary_credential_hooks,
)

from _serve import serve


class Cache:
    """The cache interface Authlib's helpers use (get/set/delete/has), in a dict."""

    def __init__(self):
        self.items = {}

    def get(self, key):
        item = self.items.get(key)
        return item[0] if item and item[1] > time.time() else None

    def set(self, key, value, timeout=None):
        self.items[key] = (value, time.time() + (timeout or 86400))

    def delete(self, key):
        self.items.pop(key, None)

    def has(self, key):
        return self.get(key) is not None


class User:
    def get_user_id(self):
        return 'alice'


class Client:
    def __init__(self, spec):
        self.client_id = spec['client_id']
        self.client_secret = spec.get('client_secret', '')
        self.rsa_public_key = spec.get('rsa_public_key')

    def get_default_redirect_uri(self):
        return None

    def get_client_secret(self):
        return self.client_secret

    def get_rsa_public_key(self):
        return self.rsa_public_key


class TokenCredential(dict):
    def get_oauth_token(self):
        return self['oauth_token']

    def get_oauth_token_secret(self):
        return self['oauth_token_secret']

    def get_client_id(self):
        return self['client_id']

    def get_user_id(self):
        return self['user_id']


clients = {}
token_credentials = {}
cache = Cache()

app = Flask(__name__)
app.config['OAUTH1_SUPPORTED_SIGNATURE_METHODS'] = ['HMAC-SHA1', 'PLAINTEXT', 'RSA-SHA1']
server = AuthorizationServer(app, query_client=clients.get)
register_nonce_hooks(server, cache)
register_temporary_credential_hooks(server, cache)


def create_token_credential(token, temporary_credential):
    credential = TokenCredential(
        oauth_token=token['oauth_token'],
        oauth_token_secret=token['oauth_token_secret'],
        client_id=temporary_credential.get_client_id(),
        user_id=temporary_credential.get_user_id(),
    )
    token_credentials[credential['oauth_token']] = credential
    return credential


server.register_hook('create_token_credential', create_token_credential)


def query_token(client_id, oauth_token):
    credential = token_credentials.get(oauth_token)
    if credential and credential['client_id'] == client_id:
        return credential


require_oauth = ResourceProtector(app, query_client=clients.get, query_token=query_token, exists_nonce=create_exists_nonce_func(cache, 'api-nonce:'))


@app.post('/request_token')
def request_token():
    return server.create_temporary_credentials_response()


@app.get('/authorize')
def authorize():
    # alice is signed in and approves: no page, the redirect at once.
    return server.create_authorization_response(grant_user=User())


@app.post('/access_token')
def access_token():
    return server.create_token_response()


@app.get('/api/me')
@require_oauth()
def api_me():
    return jsonify({'user': current_credential['user_id'], 'query': sorted(
        [k, v] for k, v in request.args.items(multi=True) if not k.startswith('oauth_'))})


@app.post('/api/echo')
@require_oauth()
def api_echo():
    return jsonify({'user': current_credential['user_id'], 'form': sorted(
        [k, v] for k, v in request.form.items(multi=True) if not k.startswith('oauth_'))})


if __name__ == '__main__':
    for spec in json.loads(sys.argv[1]):
        clients[spec['client_id']] = Client(spec)
    serve(app)
