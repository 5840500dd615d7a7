"""OpenID provider from Authlib's AuthorizationServer (Debian python3-authlib 1.2.0) on Flask.

Code + PKCE (OpenIDCode), refresh with rotation, client credentials, revocation (RFC 7009),
introspection (RFC 7662), private_key_jwt (RFC 7523) and a bearer-protected API, in memory. The
user `alice` is signed in and consents at once: GET /authorize answers with the redirect.
Run with /usr/bin/python3; prints {"port": N}; the clients are the test's CLIENTS (JSON in argv[1]).
The private_key_jwt assertion's `aud` must be the token endpoint URL, as Authlib's docs set it up.
"""
import json
import os
import sys
import time

# http on 127.0.0.1 only: Authlib refuses plain http unless told otherwise.
os.environ['AUTHLIB_INSECURE_TRANSPORT'] = '1'

from flask import Flask, jsonify, request
from authlib.common.security import generate_token
from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.jose import JsonWebKey
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode

from _serve import serve

SECRET_METHODS = ['client_secret_basic', 'client_secret_post', 'none', 'private_key_jwt']
USER = {'sub': 'alice', 'name': 'Alice Example', 'email': 'alice@example.test', 'email_verified': True}
KEY = JsonWebKey.generate_key('RSA', 2048, is_private=True)
KEY_DICT = KEY.as_dict(is_private=True)
KEY_DICT['kid'] = 'authlib-test'
PUBLIC_JWK = {**KEY.as_dict(is_private=False), 'kid': 'authlib-test', 'use': 'sig', 'alg': 'RS256'}

config = {'issuer': ''}
clients = {}
codes = {}
tokens = {}  # access and refresh token -> Token
jtis = set()


class Client:
    def __init__(self, spec):
        self.client_id = spec['client_id']
        self.client_secret = spec.get('client_secret', '')
        self.method = spec['token_endpoint_auth_method']
        self.redirect_uris = spec.get('redirect_uris', [])
        self.grant_types = spec.get('grant_types', ['authorization_code', 'refresh_token'])
        self.scope = spec.get('scope', 'openid profile email api')
        self.jwk = spec.get('jwk')

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope):
        allowed = set(self.scope.split())
        return ' '.join(s for s in (scope or '').split() if s in allowed)

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return self.client_secret != '' and client_secret == self.client_secret

    def check_endpoint_auth_method(self, method, endpoint):
        return method == self.method

    def check_response_type(self, response_type):
        return response_type == 'code'

    def check_grant_type(self, grant_type):
        return grant_type in self.grant_types


class AuthorizationCode:
    def __init__(self, code, client, req):
        self.code = code
        self.client_id = client.client_id
        self.redirect_uri = req.redirect_uri
        self.scope = req.scope
        self.nonce = req.data.get('nonce')
        self.code_challenge = req.data.get('code_challenge')
        self.code_challenge_method = req.data.get('code_challenge_method')
        self.auth_time = int(time.time())

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time


class Token:
    def __init__(self, data, client_id, user):
        self.data = data
        self.client_id = client_id
        self.user = user
        self.issued_at = int(time.time())
        self.revoked = False

    def check_client(self, client):
        return client.client_id == self.client_id

    def get_scope(self):
        return self.data.get('scope', '')

    def get_expires_in(self):
        return self.data.get('expires_in', 0)

    def is_expired(self):
        return time.time() > self.issued_at + self.get_expires_in()

    def is_revoked(self):
        return self.revoked

    def is_refresh_token_valid(self):
        return not self.revoked


def save_token(data, req):
    token = Token(data, req.client.client_id, req.user)
    tokens[data['access_token']] = token
    if data.get('refresh_token'):
        tokens['r:' + data['refresh_token']] = token


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = SECRET_METHODS

    def save_authorization_code(self, code, req):
        codes[code] = AuthorizationCode(code, req.client, req)

    def query_authorization_code(self, code, client):
        item = codes.get(code)
        if item and item.client_id == client.client_id:
            return item

    def delete_authorization_code(self, authorization_code):
        codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code):
        return USER


class OpenIDExtension(OpenIDCode):
    def exists_nonce(self, nonce, req):
        return any(c.nonce == nonce for c in codes.values())

    def get_jwt_config(self, grant):
        return {'key': KEY_DICT, 'alg': 'RS256', 'iss': config['issuer'], 'exp': 3600}

    def generate_user_info(self, user, scope):
        return UserInfo(user)


class RefreshGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = SECRET_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token):
        token = tokens.get('r:' + refresh_token)
        if token and not token.revoked:
            return token

    def authenticate_user(self, credential):
        return credential.user

    def revoke_old_credential(self, credential):
        credential.revoked = True


class ClientCredentialsGrant(grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post']


def find_token(token_string, hint):
    if hint != 'access_token':
        token = tokens.get('r:' + token_string)
        if token:
            return token
    return tokens.get(token_string)


class Revocation(RevocationEndpoint):
    CLIENT_AUTH_METHODS = SECRET_METHODS

    def query_token(self, token_string, token_type_hint):
        return find_token(token_string, token_type_hint)

    def revoke_token(self, token, req):
        token.revoked = True


class Introspection(IntrospectionEndpoint):
    CLIENT_AUTH_METHODS = SECRET_METHODS

    def query_token(self, token_string, token_type_hint):
        return find_token(token_string, token_type_hint)

    def check_permission(self, token, client, req):
        return token.client_id == client.client_id

    def introspect_token(self, token):
        return {
            'active': True,
            'client_id': token.client_id,
            'token_type': 'Bearer',
            'scope': token.get_scope(),
            'sub': token.user['sub'] if token.user else None,
            'iss': config['issuer'],
            'exp': token.issued_at + token.get_expires_in(),
            'iat': token.issued_at,
        }


class PrivateKeyJwt(JWTBearerClientAssertion):
    CLIENT_AUTH_METHOD = 'private_key_jwt'

    def validate_jti(self, claims, jti):
        if jti in jtis:
            return False
        jtis.add(jti)
        return True

    def resolve_client_public_key(self, client, headers):
        return client.jwk


class Bearer(BearerTokenValidator):
    def authenticate_token(self, token_string):
        return tokens.get(token_string)


app = Flask(__name__)
app.config['OAUTH2_REFRESH_TOKEN_GENERATOR'] = True
server = AuthorizationServer(app, query_client=clients.get, save_token=save_token)
server.register_grant(CodeGrant, [OpenIDExtension(require_nonce=False), CodeChallenge(required=True)])
server.register_grant(RefreshGrant)
server.register_grant(ClientCredentialsGrant)
server.register_endpoint(Revocation)
server.register_endpoint(Introspection)
require_oauth = ResourceProtector()
require_oauth.register_token_validator(Bearer())


@app.get('/.well-known/openid-configuration')
def discovery():
    issuer = config['issuer']
    return jsonify({
        'issuer': issuer,
        'authorization_endpoint': issuer + '/authorize',
        'token_endpoint': issuer + '/token',
        'userinfo_endpoint': issuer + '/userinfo',
        'jwks_uri': issuer + '/jwks',
        'revocation_endpoint': issuer + '/revoke',
        'introspection_endpoint': issuer + '/introspect',
        'response_types_supported': ['code'],
        'subject_types_supported': ['public'],
        'id_token_signing_alg_values_supported': ['RS256'],
        'scopes_supported': ['openid', 'profile', 'email', 'api'],
        'token_endpoint_auth_methods_supported': SECRET_METHODS,
        'token_endpoint_auth_signing_alg_values_supported': ['RS256', 'ES256'],
        'code_challenge_methods_supported': ['S256'],
        'grant_types_supported': ['authorization_code', 'refresh_token', 'client_credentials'],
    })


@app.get('/jwks')
def jwks():
    return jsonify({'keys': [PUBLIC_JWK]})


@app.get('/authorize')
def authorize():
    # alice is signed in and consents: no page, the redirect at once.
    return server.create_authorization_response(grant_user=USER)


@app.post('/token')
def issue_token():
    return server.create_token_response()


@app.post('/revoke')
def revoke():
    return server.create_endpoint_response(Revocation.ENDPOINT_NAME)


@app.post('/introspect')
def introspect():
    return server.create_endpoint_response(Introspection.ENDPOINT_NAME)


@app.route('/userinfo', methods=['GET', 'POST'])
@require_oauth('openid')
def userinfo():
    return jsonify(USER)


@app.get('/api/me')
@require_oauth()
def api_me():
    from authlib.integrations.flask_oauth2 import current_token
    user = current_token.user
    return jsonify({'sub': user['sub'] if user else None, 'client_id': current_token.client_id, 'scope': current_token.get_scope()})


def on_port(port):
    config['issuer'] = 'http://127.0.0.1:%d' % port
    server.register_client_auth_method(PrivateKeyJwt.CLIENT_AUTH_METHOD, PrivateKeyJwt(config['issuer'] + '/token'))


if __name__ == '__main__':
    for spec in json.loads(sys.argv[1]):
        clients[spec['client_id']] = Client(spec)
    serve(app, on_port)
