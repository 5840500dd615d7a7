/**
 * The OAuth 2 / OpenID Connect interop matrix: oauthkit logs in (authorizeRedirect → the provider →
 * authorizeAccessToken), calls the provider's API, refreshes, and where served revokes and
 * introspects, against provider implementations other than oidc-provider, each started on
 * 127.0.0.1 by this file. docs/interop.md is the table of what passes where, and why not elsewhere.
 */
import { generateKeyPairSync } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ErrorCode,
  OAuth,
  type OAuth2App,
  type OAuth2AppConfig,
  type OAuth2Token,
} from '../../src/index.js'
import { SECRET, expectCode } from '../support/helpers.js'
import {
  NODE_OAUTH2_PASSWORD,
  startNodeOAuth2Server,
  type NodeOAuth2Client,
} from './servers/node-oauth2-server.js'
import { REDIRECT_URI, loginOAuth2, startPythonServer, type RunningServer } from './support.js'

interface ApiMe {
  sub: string | null
  client_id: string
  scope: string
}

/** One app of a fresh registry, as a user registers it. */
function appFor(config: OAuth2AppConfig): OAuth2App {
  return new OAuth({ secret: SECRET }).register('as', config).create('as')
}

/** Login, an API call, a refresh with rotation, and the old refresh token refused elsewhere. */
async function loginCallRefresh(
  app: OAuth2App,
  expected: { sub: string; clientId: string; openid: boolean },
): Promise<OAuth2Token> {
  const token = await loginOAuth2(app)
  expect(token.access_token).toBeTruthy()
  expect(token.refresh_token).toBeTruthy()
  if (expected.openid) {
    expect(token.userinfo?.sub).toBe(expected.sub)
    // `aud` is a string or an array holding the client id (Authlib sends an array).
    expect([token.userinfo?.aud].flat()).toEqual([expected.clientId])
  }
  expect(await app.get('api/me', { token }).json<ApiMe>()).toMatchObject({
    sub: expected.sub,
    client_id: expected.clientId,
  })

  const fresh = await app.refreshToken(token)
  expect(fresh.access_token).not.toBe(token.access_token)
  expect(fresh.refresh_token).toBeTruthy()
  expect(fresh.refresh_token).not.toBe(token.refresh_token)
  expect(await app.get('api/me', { token: fresh }).json<ApiMe>()).toMatchObject({
    sub: expected.sub,
  })
  // The rotated-out refresh token is dead: another registry holding it must sign the user in again.
  const elsewhere = appFor({ ...app.config })
  const err = await expectCode(elsewhere.refreshToken(token), ErrorCode.REAUTHENTICATION_REQUIRED)
  expect(err.error).toBe('invalid_grant')
  return fresh
}

describe('Authlib AuthorizationServer + OpenIDCode (Debian python3-authlib 1.2.0, Flask)', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const privateJwk = { ...rsa.privateKey.export({ format: 'jwk' }), kid: 'pkjwt-1', alg: 'RS256' }
  const publicJwk = { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'pkjwt-1', alg: 'RS256' }
  // Ids with `-` and `_` (oauth4webapi alone sent them as %2D/%5F, which Authlib never decodes);
  // secrets with `+ / = : %`.
  const CLIENTS = {
    basic: {
      client_id: 'basic-client_1',
      client_secret: 'basic-secret_1.0~x*',
      token_endpoint_auth_method: 'client_secret_basic',
    },
    basicRaw: {
      client_id: 'raw-client_2',
      client_secret: 'r+w/s=c:r%t',
      token_endpoint_auth_method: 'client_secret_basic',
    },
    post: {
      client_id: 'post-client_3',
      client_secret: 'p+s/t=c:r%t',
      token_endpoint_auth_method: 'client_secret_post',
    },
    none: { client_id: 'public-client_4', token_endpoint_auth_method: 'none' },
    pkjwt: {
      client_id: 'pkjwt-client_5',
      token_endpoint_auth_method: 'private_key_jwt',
      jwk: publicJwk,
    },
    service: {
      client_id: 'service-client_6',
      client_secret: 's+v/c=:%',
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['client_credentials'],
      scope: 'api',
    },
  } as const
  let server: RunningServer
  beforeAll(async () => {
    const specs = Object.values(CLIENTS).map((client) => ({
      redirect_uris: [REDIRECT_URI],
      ...client,
    }))
    server = await startPythonServer('authlib_oidc.py', [JSON.stringify(specs)])
  })
  afterAll(() => server?.close())

  const register = (config: Partial<OAuth2AppConfig>) =>
    appFor({
      serverMetadataUrl: `${server.url}/.well-known/openid-configuration`,
      apiBaseUrl: server.url,
      scope: 'openid email profile api',
      clientId: '',
      ...config,
    })

  const methods: Array<[string, () => Partial<OAuth2AppConfig>]> = [
    [
      'client_secret_basic, form-encoded (id with - and _)',
      () => ({ clientId: CLIENTS.basic.client_id, clientSecret: CLIENTS.basic.client_secret }),
    ],
    [
      'client_secret_basic, raw (secret with + / = : %)',
      () => ({
        clientId: CLIENTS.basicRaw.client_id,
        clientSecret: CLIENTS.basicRaw.client_secret,
        clientSecretBasicEncoding: 'raw',
      }),
    ],
    [
      'client_secret_post (secret with + / = : %)',
      () => ({
        clientId: CLIENTS.post.client_id,
        clientSecret: CLIENTS.post.client_secret,
        tokenEndpointAuthMethod: 'client_secret_post',
      }),
    ],
    ['none (public client, PKCE)', () => ({ clientId: CLIENTS.none.client_id })],
  ]

  it.each(methods)(
    '%s: logs in, calls the API, refreshes with rotation',
    async (_label, config) => {
      const app = register(config())
      await loginCallRefresh(app, { sub: 'alice', clientId: app.config.clientId, openid: true })
    },
  )

  it('their bug: client_secret_basic as RFC 6749 §2.3.1 encodes it (+ / = : % escaped) is invalid_client, as Authlib never decodes', async () => {
    const app = register({
      clientId: CLIENTS.basicRaw.client_id,
      clientSecret: CLIENTS.basicRaw.client_secret,
    })
    const err = await expectCode(loginOAuth2(app), ErrorCode.TOKEN_ERROR)
    expect(err.error).toBe('invalid_client')
    expect(err.message).not.toContain(CLIENTS.basicRaw.client_secret)
  })

  it('private_key_jwt, default audience (the issuer, as oauth4webapi sends it) is invalid_client: Authlib, set up as its docs do, accepts only the token endpoint URL', async () => {
    const app = register({ clientId: CLIENTS.pkjwt.client_id, privateKey: privateJwk as never })
    const err = await expectCode(loginOAuth2(app), ErrorCode.TOKEN_ERROR)
    expect(err.error).toBe('invalid_client')
  })

  it('private_key_jwt with clientAssertionAudience "token_endpoint": logs in, calls the API, refreshes, revokes', async () => {
    const app = register({
      clientId: CLIENTS.pkjwt.client_id,
      privateKey: privateJwk as never,
      clientAssertionAudience: 'token_endpoint',
    })
    const fresh = await loginCallRefresh(app, {
      sub: 'alice',
      clientId: CLIENTS.pkjwt.client_id,
      openid: true,
    })
    // The same assertion authenticates at the revocation endpoint.
    await app.revokeToken(fresh)
    await expectCode(app.refreshToken(fresh), ErrorCode.REAUTHENTICATION_REQUIRED)
  })

  it('introspects an active token, revokes the grant, then the token is inactive and the API refuses it', async () => {
    const app = register({
      clientId: CLIENTS.basic.client_id,
      clientSecret: CLIENTS.basic.client_secret,
    })
    const token = await loginOAuth2(app)
    expect(await app.introspectToken(token.access_token)).toMatchObject({
      active: true,
      sub: 'alice',
      client_id: CLIENTS.basic.client_id,
    })
    await app.revokeToken(token)
    expect(await app.introspectToken(token.access_token)).toEqual({ active: false })
    // The API answers 401, the app tries its (revoked) refresh token once, and asks for a new login.
    const err = await expectCode(
      app.get('api/me', { token }).json(),
      ErrorCode.REAUTHENTICATION_REQUIRED,
    )
    expect(err.error).toBe('invalid_grant')
  })

  it('client credentials: a machine token, and API calls with it', async () => {
    const app = register({
      clientId: CLIENTS.service.client_id,
      clientSecret: CLIENTS.service.client_secret,
      tokenEndpointAuthMethod: 'client_secret_post',
      grantType: 'client_credentials',
      scope: 'api',
    })
    const token = await app.clientCredentials()
    expect(token).toMatchObject({ token_type: 'bearer', scope: 'api' })
    expect(await app.get('api/me').json<ApiMe>()).toEqual({
      sub: null,
      client_id: CLIENTS.service.client_id,
      scope: 'api',
    })
  })
})

describe('@node-oauth/oauth2-server 5 (npm)', () => {
  const CLIENTS = {
    basic: {
      client_id: 'basic-client_1',
      client_secret: 'basic-secret_1.0~x*',
      grants: ['authorization_code', 'refresh_token'],
    },
    post: {
      client_id: 'post-client_3',
      client_secret: 'p+s/t=c:r%t',
      grants: ['authorization_code', 'refresh_token'],
    },
    none: { client_id: 'public-client_4', grants: ['authorization_code', 'refresh_token'] },
    service: {
      client_id: 'service-client_6',
      client_secret: 's+v/c=:%',
      grants: ['client_credentials', 'password', 'refresh_token'],
    },
  } satisfies Record<string, NodeOAuth2Client>
  let server: RunningServer
  beforeAll(async () => {
    server = await startNodeOAuth2Server(
      Object.values(CLIENTS).map((client) => ({ redirect_uris: [REDIRECT_URI], ...client })),
    )
  })
  afterAll(() => server?.close())

  const register = (config: Partial<OAuth2AppConfig>) =>
    appFor({
      authorizeUrl: `${server.url}/authorize`,
      accessTokenUrl: `${server.url}/token`,
      apiBaseUrl: server.url,
      scope: 'api',
      clientId: '',
      ...config,
    })

  it.each([
    [
      'client_secret_basic, form-encoded (id with - and _)',
      () => ({ clientId: CLIENTS.basic.client_id, clientSecret: CLIENTS.basic.client_secret }),
    ],
    [
      'client_secret_post (secret with + / = : %)',
      () => ({
        clientId: CLIENTS.post.client_id,
        clientSecret: CLIENTS.post.client_secret,
        tokenEndpointAuthMethod: 'client_secret_post' as const,
      }),
    ],
    ['none (public client, PKCE)', () => ({ clientId: CLIENTS.none.client_id })],
  ])('%s: logs in, calls the API, refreshes with rotation', async (_label, config) => {
    const app = register(config())
    await loginCallRefresh(app, { sub: 'alice', clientId: app.config.clientId, openid: false })
  })

  it('client_secret_basic raw: the secret with + / = : % as it is (the server does not decode either)', async () => {
    const app = register({
      clientId: CLIENTS.service.client_id,
      clientSecret: CLIENTS.service.client_secret,
      clientSecretBasicEncoding: 'raw',
      grantType: 'client_credentials',
    })
    await app.clientCredentials()
    expect(await app.get('api/me').json<ApiMe>()).toEqual({
      sub: null,
      client_id: CLIENTS.service.client_id,
      scope: 'api',
    })
    // Form-encoded, as RFC 6749 §2.3.1 asks, the same secret is refused: the server never decodes it.
    const encoded = register({
      clientId: CLIENTS.service.client_id,
      clientSecret: CLIENTS.service.client_secret,
      grantType: 'client_credentials',
    })
    expect((await expectCode(encoded.clientCredentials(), ErrorCode.TOKEN_ERROR)).error).toBe(
      'invalid_client',
    )
  })

  it('client credentials over client_secret_post', async () => {
    const app = register({
      clientId: CLIENTS.service.client_id,
      clientSecret: CLIENTS.service.client_secret,
      tokenEndpointAuthMethod: 'client_secret_post',
      grantType: 'client_credentials',
    })
    expect(await app.clientCredentials()).toMatchObject({ token_type: 'bearer', scope: 'api' })
    expect(await app.get('api/me').json<ApiMe>()).toEqual({
      sub: null,
      client_id: CLIENTS.service.client_id,
      scope: 'api',
    })
  })

  it('password grant, then refresh', async () => {
    const app = register({
      clientId: CLIENTS.service.client_id,
      clientSecret: CLIENTS.service.client_secret,
      tokenEndpointAuthMethod: 'client_secret_post',
    })
    const token = await app.passwordGrant(
      NODE_OAUTH2_PASSWORD.username,
      NODE_OAUTH2_PASSWORD.password,
    )
    expect(await app.get('api/me', { token }).json<ApiMe>()).toMatchObject({ sub: 'alice' })
    const fresh = await app.refreshToken(token)
    expect(fresh.refresh_token).not.toBe(token.refresh_token)
    expect(await app.get('api/me', { token: fresh }).json<ApiMe>()).toMatchObject({ sub: 'alice' })
    await expectCode(
      app.passwordGrant(NODE_OAUTH2_PASSWORD.username, 'wrong'),
      ErrorCode.TOKEN_ERROR,
    )
  })

  it('n/a: no revocation or introspection endpoint (the library has none): unsupported, not a silent success', async () => {
    const app = register({
      clientId: CLIENTS.basic.client_id,
      clientSecret: CLIENTS.basic.client_secret,
    })
    const token = await loginOAuth2(app)
    await expectCode(app.revokeToken(token), ErrorCode.METADATA_INVALID)
    await expectCode(app.introspectToken(token.access_token), ErrorCode.METADATA_INVALID)
  })
})

describe("oauthlib's Server with our RequestValidator (Debian python3-oauthlib 3.2.2, Flask)", () => {
  // oauthlib leaves client authentication to the validator; ours form-decodes client_secret_basic as
  // RFC 6749 §2.3.1 says, so the default encoding works with any secret.
  const CLIENTS = {
    basic: {
      client_id: 'basic-client_1',
      client_secret: 'basic-secret_1.0~x*',
      token_endpoint_auth_method: 'client_secret_basic',
    },
    basicEscaped: {
      client_id: 'escaped-client_2',
      client_secret: 'b+s/t=c:r%t',
      token_endpoint_auth_method: 'client_secret_basic',
    },
    post: {
      client_id: 'post-client_3',
      client_secret: 'p+s/t=c:r%t',
      token_endpoint_auth_method: 'client_secret_post',
    },
    none: { client_id: 'public-client_4', token_endpoint_auth_method: 'none' },
    service: {
      client_id: 'service-client_6',
      client_secret: 's+v/c=:%',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials', 'password', 'refresh_token'],
    },
  } as const
  let server: RunningServer
  beforeAll(async () => {
    server = await startPythonServer('oauthlib_oauth2.py', [
      JSON.stringify(
        Object.values(CLIENTS).map((client) => ({ redirect_uris: [REDIRECT_URI], ...client })),
      ),
    ])
  })
  afterAll(() => server?.close())

  // RFC 8414 metadata from oauthlib's MetadataEndpoint.
  const register = (config: Partial<OAuth2AppConfig>) =>
    appFor({
      serverMetadataUrl: `${server.url}/.well-known/oauth-authorization-server`,
      apiBaseUrl: server.url,
      scope: 'api',
      clientId: '',
      ...config,
    })

  it.each([
    [
      'client_secret_basic, form-encoded (id with - and _)',
      () => ({ clientId: CLIENTS.basic.client_id, clientSecret: CLIENTS.basic.client_secret }),
    ],
    [
      'client_secret_basic, form-encoded (secret with + / = : %)',
      () => ({
        clientId: CLIENTS.basicEscaped.client_id,
        clientSecret: CLIENTS.basicEscaped.client_secret,
      }),
    ],
    [
      'client_secret_post (secret with + / = : %)',
      () => ({
        clientId: CLIENTS.post.client_id,
        clientSecret: CLIENTS.post.client_secret,
        tokenEndpointAuthMethod: 'client_secret_post' as const,
      }),
    ],
    ['none (public client, PKCE)', () => ({ clientId: CLIENTS.none.client_id })],
  ])('%s: logs in, calls the API, refreshes with rotation', async (_label, config) => {
    const app = register(config())
    await loginCallRefresh(app, { sub: 'alice', clientId: app.config.clientId, openid: false })
  })

  it('client_secret_basic raw is for servers that never decode: this one reads the raw "+" and "%" back as something else, invalid_client', async () => {
    const app = register({
      clientId: CLIENTS.service.client_id,
      clientSecret: CLIENTS.service.client_secret,
      clientSecretBasicEncoding: 'raw',
      grantType: 'client_credentials',
    })
    const err = await expectCode(app.clientCredentials(), ErrorCode.TOKEN_ERROR)
    expect(err.error).toBe('invalid_client')
    expect(err.message).not.toContain(CLIENTS.service.client_secret)
  })

  it('client credentials: a machine token, and API calls with it', async () => {
    const app = register({
      clientId: CLIENTS.service.client_id,
      clientSecret: CLIENTS.service.client_secret,
      grantType: 'client_credentials',
    })
    expect(await app.clientCredentials()).toMatchObject({ token_type: 'bearer', scope: 'api' })
    expect(await app.get('api/me').json<ApiMe>()).toEqual({
      sub: null,
      client_id: CLIENTS.service.client_id,
      scope: 'api',
    })
  })

  it('password grant, then refresh with rotation', async () => {
    const app = register({
      clientId: CLIENTS.service.client_id,
      clientSecret: CLIENTS.service.client_secret,
    })
    const token = await app.passwordGrant('alice', 'alice-password')
    expect(await app.get('api/me', { token }).json<ApiMe>()).toMatchObject({ sub: 'alice' })
    const fresh = await app.refreshToken(token)
    expect(fresh.refresh_token).not.toBe(token.refresh_token)
    expect(await app.get('api/me', { token: fresh }).json<ApiMe>()).toMatchObject({ sub: 'alice' })
    await expectCode(app.passwordGrant('alice', 'wrong'), ErrorCode.TOKEN_ERROR)
  })

  it('introspects an active token, revokes the grant, then the token is inactive and the API refuses it', async () => {
    const app = register({
      clientId: CLIENTS.basicEscaped.client_id,
      clientSecret: CLIENTS.basicEscaped.client_secret,
    })
    const token = await loginOAuth2(app)
    expect(await app.introspectToken(token.access_token)).toMatchObject({
      active: true,
      sub: 'alice',
      client_id: CLIENTS.basicEscaped.client_id,
      scope: 'api',
    })
    await app.revokeToken(token)
    expect(await app.introspectToken(token.access_token)).toEqual({ active: false })
    const err = await expectCode(
      app.get('api/me', { token }).json(),
      ErrorCode.REAUTHENTICATION_REQUIRED,
    )
    expect(err.error).toBe('invalid_grant')
  })
})
