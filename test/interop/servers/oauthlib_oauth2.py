"""OAuth 2 provider from oauthlib's `Server` (Debian python3-oauthlib 3.2.2: its authorization code,
refresh token, client credentials and password grants, bearer tokens, RFC 7009 revocation, RFC 7662
introspection and RFC 8414 metadata endpoints) with the RequestValidator below, in memory, on Flask.

oauthlib leaves client authentication, storage and users to the validator: clients authenticate with
client_secret_basic (form-decoded, RFC 6749 §2.3.1), client_secret_post or none (public, PKCE); codes
need PKCE S256; refresh tokens rotate. The user `alice` is signed in and consents at once: GET
/authorize answers with the redirect. Run with /usr/bin/python3; prints {"port": N}; argv[1] is the
test's clients as JSON: [{"client_id", "client_secret"?, "token_endpoint_auth_method", "redirect_uris",
"grant_types"?, "scope"?}].
"""
import base64
import binascii
import hmac
import json
import os
import sys
import time
from urllib.parse import unquote_plus

# http on 127.0.0.1 only: oauthlib refuses plain http unless told otherwise.
os.environ['OAUTHLIB_INSECURE_TRANSPORT'] = '1'

from flask import Flask, jsonify
from oauthlib.oauth2 import FatalClientError, InvalidRequestError, OAuth2Error, RequestValidator, Server
from oauthlib.oauth2.rfc6749.endpoints.metadata import MetadataEndpoint

from _oauthlib_http import flask_response, oauthlib_request
from _serve import serve

PASSWORD = ('alice', 'alice-password')
clients = {}
codes = {}
grants = {}  # access or refresh token -> the grant record it belongs to


class Client:
    def __init__(self, spec):
        self.client_id = spec['client_id']
        self.secret = spec.get('client_secret', '')
        self.method = spec['token_endpoint_auth_method']
        self.redirect_uris = spec.get('redirect_uris', [])
        self.grant_types = spec.get('grant_types', ['authorization_code', 'refresh_token'])
        self.scopes = spec.get('scope', 'api').split()


def client_credentials(request):
    """(method, client_id, secret) the request authenticates with, or None."""
    header = request.headers.get('Authorization', '')
    if header[:6].lower() == 'basic ':
        try:
            client_id, colon, secret = base64.b64decode(header[6:], validate=True).decode('utf-8').partition(':')
        except (binascii.Error, UnicodeDecodeError):
            return None
        # RFC 6749 §2.3.1: the id and secret are form-encoded before Base64.
        return ('client_secret_basic', unquote_plus(client_id), unquote_plus(secret)) if colon else None
    if request.client_secret is not None:
        return 'client_secret_post', request.client_id, request.client_secret
    return None


def live_grant(token):
    grant = grants.get(token)
    if grant and not grant['revoked'] and (token != grant['access_token'] or time.time() < grant['expires_at']):
        return grant


class Validator(RequestValidator):
    # Client authentication (RFC 6749 §2.3), which oauthlib leaves to the validator.
    def client_authentication_required(self, request, *args, **kwargs):
        client = clients.get(request.client_id)
        return client_credentials(request) is not None or not (client and client.method == 'none')

    def authenticate_client(self, request, *args, **kwargs):
        method, client_id, secret = client_credentials(request) or (None, None, None)
        client = clients.get(client_id)
        if not client or client.method != method or not client.secret or not hmac.compare_digest(client.secret.encode(), secret.encode()):
            return False
        request.client = client
        return True

    def authenticate_client_id(self, client_id, request, *args, **kwargs):
        client = clients.get(client_id)
        if client and client.method == 'none':
            request.client = client
            return True
        return False

    # The authorization request.
    def validate_client_id(self, client_id, request, *args, **kwargs):
        return client_id in clients

    def validate_redirect_uri(self, client_id, redirect_uri, request, *args, **kwargs):
        return redirect_uri in clients[client_id].redirect_uris

    def get_default_redirect_uri(self, client_id, request, *args, **kwargs):
        return clients[client_id].redirect_uris[0]

    def validate_response_type(self, client_id, response_type, client, request, *args, **kwargs):
        return response_type == 'code'

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        return set(scopes) <= set(clients[client_id].scopes)

    def get_default_scopes(self, client_id, request, *args, **kwargs):
        return clients[client_id].scopes

    def is_pkce_required(self, client_id, request):
        return True

    def save_authorization_code(self, client_id, code, request, *args, **kwargs):
        codes[code['code']] = {
            'client_id': client_id, 'redirect_uri': request.redirect_uri, 'scopes': request.scopes, 'user': request.user,
            'challenge': request.code_challenge, 'challenge_method': request.code_challenge_method, 'expires_at': time.time() + 60,
        }

    # The code exchange.
    def validate_code(self, client_id, code, client, request, *args, **kwargs):
        item = codes.get(code)
        if not item or item['client_id'] != client.client_id or time.time() > item['expires_at']:
            return False
        request.user, request.scopes = item['user'], item['scopes']
        return True

    def confirm_redirect_uri(self, client_id, code, redirect_uri, client, request, *args, **kwargs):
        return codes[code]['redirect_uri'] == redirect_uri

    def get_code_challenge(self, code, request):
        return codes.get(code, {}).get('challenge')

    def get_code_challenge_method(self, code, request):
        return codes.get(code, {}).get('challenge_method')

    def invalidate_authorization_code(self, client_id, code, request, *args, **kwargs):
        codes.pop(code, None)

    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs):
        return grant_type in client.grant_types

    def validate_user(self, username, password, client, request, *args, **kwargs):
        if (username, password) != PASSWORD:
            return False
        request.user = username
        return True

    # Tokens.
    def save_bearer_token(self, token, request, *args, **kwargs):
        grant = {
            'client_id': request.client.client_id, 'user': request.user, 'scopes': request.scopes, 'revoked': False,
            'access_token': token['access_token'], 'expires_at': time.time() + token['expires_in'],
        }
        grants[token['access_token']] = grant
        if 'refresh_token' in token:
            grants[token['refresh_token']] = grant
        # Rotation (rotate_refresh_token is True by default): the refresh token just used is dead.
        if request.grant_type == 'refresh_token':
            grants.pop(request.refresh_token, None)

    def validate_refresh_token(self, refresh_token, client, request, *args, **kwargs):
        grant = live_grant(refresh_token)
        if not grant or grant['client_id'] != client.client_id or refresh_token == grant['access_token']:
            return False
        request.user = grant['user']
        return True

    def get_original_scopes(self, refresh_token, request, *args, **kwargs):
        return grants[refresh_token]['scopes']

    def validate_bearer_token(self, token, scopes, request):
        grant = live_grant(token) if token else None
        if not grant or token != grant['access_token'] or not set(scopes) <= set(grant['scopes']):
            return False
        request.user, request.client, request.scopes = grant['user'], clients[grant['client_id']], grant['scopes']
        return True

    # RFC 7009: revoking either token of a grant ends the grant.
    def revoke_token(self, token, token_type_hint, request, *args, **kwargs):
        grant = grants.get(token)
        if grant and grant['client_id'] == request.client.client_id:
            grant['revoked'] = True

    # RFC 7662: oauthlib adds `active`.
    def introspect_token(self, token, token_type_hint, request, *args, **kwargs):
        grant = live_grant(token)
        if not grant or grant['client_id'] != request.client.client_id:
            return None
        return {'client_id': grant['client_id'], 'sub': grant['user'], 'scope': ' '.join(grant['scopes']), 'token_type': 'Bearer', 'exp': int(grant['expires_at'])}


def s256_only(request):
    # oauthlib also accepts `plain` (its default when the method is absent); this server does not.
    if request.code_challenge_method != 'S256':
        raise InvalidRequestError(description='code_challenge_method must be S256', request=request)
    return {}


server = Server(Validator())
server.auth_grant.custom_validators.pre_auth.append(s256_only)
metadata = {}
app = Flask(__name__)


@app.get('/.well-known/oauth-authorization-server')
def discovery():
    return flask_response(*metadata['endpoint'].create_metadata_response(*oauthlib_request()))


@app.get('/authorize')
def authorize():
    uri, method, body, headers = oauthlib_request()
    try:
        scopes, credentials = server.validate_authorization_request(uri, method, body, headers)
    except FatalClientError as e:
        return jsonify(error=e.error, error_description=e.description), e.status_code
    except OAuth2Error as e:
        return '', 302, {'Location': e.in_uri(e.redirect_uri)}
    credentials.pop('request')
    # alice is signed in and consents: no page, the redirect at once.
    return flask_response(*server.create_authorization_response(uri, method, body, headers, scopes, {**credentials, 'user': 'alice'}))


@app.post('/token')
def token():
    return flask_response(*server.create_token_response(*oauthlib_request()))


@app.post('/revoke')
def revoke():
    return flask_response(*server.create_revocation_response(*oauthlib_request()))


@app.post('/introspect')
def introspect():
    return flask_response(*server.create_introspect_response(*oauthlib_request()))


@app.get('/api/me')
def api_me():
    valid, request = server.verify_request(*oauthlib_request(), scopes=['api'])
    if not valid:
        return jsonify(error='invalid_token'), 401, {'WWW-Authenticate': 'Bearer error="invalid_token"'}
    return jsonify(sub=request.user, client_id=request.client.client_id, scope=' '.join(request.scopes))


def on_port(port):
    issuer = 'http://127.0.0.1:%d' % port
    metadata['endpoint'] = MetadataEndpoint([server], {
        'issuer': issuer,
        'authorization_endpoint': issuer + '/authorize',
        'token_endpoint': issuer + '/token',
        'revocation_endpoint': issuer + '/revoke',
        'introspection_endpoint': issuer + '/introspect',
        'scopes_supported': ['api'],
        'response_types_supported': ['code'],
        'code_challenge_methods_supported': ['S256'],
        'token_endpoint_auth_methods_supported': ['client_secret_basic', 'client_secret_post', 'none'],
    })


if __name__ == '__main__':
    for spec in json.loads(sys.argv[1]):
        clients[spec['client_id']] = Client(spec)
    serve(app, on_port)
