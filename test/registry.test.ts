import { describe, expect, it } from 'vitest'
import { ErrorCode, OAuth, OAuth2App, isOAuthKitError, type OAuth2AppConfig } from '../src/index.js'

const SECRET = 'a-test-secret-that-is-at-least-32-characters'
const explicit = {
  clientId: 'id',
  authorizeUrl: 'https://idp.test/authorize',
  accessTokenUrl: 'https://idp.test/token',
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    if (isOAuthKitError(err)) return `${err.code}: ${err.message}`
    throw err
  }
  return undefined
}

describe('OAuth registry', () => {
  it('registers chainably and creates each app once', () => {
    const oauth = new OAuth({ secret: SECRET })
      .register('a', explicit)
      .register('b', { ...explicit, clientId: 'other' })
    const a = oauth.create('a')
    expect(a).toBeInstanceOf(OAuth2App)
    expect(a.kind).toBe('oauth2')
    expect(oauth.create('a')).toBe(a)
    expect(oauth.create('b').config.clientId).toBe('other')
    expect(oauth.names()).toEqual(['a', 'b'])
  })

  it('knows every registered name at compile time', () => {
    const oauth = new OAuth({ secret: SECRET }).register('github', explicit)
    // @ts-expect-error a misspelt name does not compile
    expect(codeOf(() => oauth.create('gitub'))).toMatch(
      /^app_not_found: .*"gitub".*registered: "github"/,
    )
  })

  it('refuses a second registration of a name unless overwrite is set', () => {
    const oauth = new OAuth({ secret: SECRET }).register('a', explicit)
    expect(codeOf(() => oauth.register('a', explicit))).toMatch(/^app_already_registered/)
    const replaced = oauth.register('a', { ...explicit, clientId: 'new', overwrite: true })
    expect(replaced.create('a').config.clientId).toBe('new')
  })

  const invalid: Array<[string, Partial<OAuth2AppConfig>, RegExp]> = [
    ['a missing clientId', { ...explicit, clientId: '' }, /"bad": clientId is required/],
    [
      'a malformed URL',
      { ...explicit, accessTokenUrl: 'not a url' },
      /"bad": accessTokenUrl is not a valid absolute URL/,
    ],
    [
      'an http endpoint on a public host',
      { ...explicit, authorizeUrl: 'http://idp.test/authorize' },
      /"bad": authorizeUrl uses http: on a non-loopback host/,
    ],
    [
      'no way to find the authorization endpoint',
      { clientId: 'id', accessTokenUrl: 'https://idp.test/token' },
      /"bad": authorizeUrl is missing/,
    ],
    [
      'no token endpoint',
      { clientId: 'id', authorizeUrl: 'https://idp.test/a' },
      /"bad": accessTokenUrl is missing/,
    ],
    [
      'OpenID Connect without issuer or discovery',
      { ...explicit, scope: 'openid' },
      /"bad": issuer is required/,
    ],
    [
      'a secret-based auth method without a secret',
      { ...explicit, tokenEndpointAuthMethod: 'client_secret_post' },
      /"bad": clientSecret is required/,
    ],
    [
      'private_key_jwt without a key',
      { ...explicit, tokenEndpointAuthMethod: 'private_key_jwt' },
      /"bad": privateKey is required/,
    ],
    [
      'an implicit response_type',
      { ...explicit, authorizeParams: { response_type: 'token' } },
      /RFC 9700/,
    ],
    [
      'an unbounded clock tolerance',
      { ...explicit, clockTolerance: 3600 },
      /clockTolerance must be between 0 and 300/,
    ],
    [
      'a serverMetadataUrl that is not well-known without issuer',
      { clientId: 'id', serverMetadataUrl: 'https://idp.test/meta' },
      /"bad": serverMetadataUrl is not a well-known/,
    ],
  ]
  for (const [what, config, message] of invalid) {
    it(`fails at register on ${what}, naming the app and the field`, () => {
      const result = codeOf(() =>
        new OAuth({ secret: SECRET }).register('bad', config as OAuth2AppConfig),
      )
      expect(result).toMatch(/^config_invalid: /)
      expect(result).toMatch(message)
    })
  }

  it('accepts http on loopback, and elsewhere only when explicitly allowed', () => {
    expect(
      codeOf(() =>
        new OAuth({ secret: SECRET }).register('a', {
          clientId: 'id',
          serverMetadataUrl: 'http://127.0.0.1:9/.well-known/openid-configuration',
        }),
      ),
    ).toBeUndefined()
    expect(
      codeOf(() =>
        new OAuth({ secret: SECRET }).register('a', {
          clientId: 'id',
          serverMetadataUrl: 'http://localhost:9/.well-known/openid-configuration',
        }),
      ),
    ).toBeUndefined()
    expect(
      codeOf(() =>
        new OAuth({ secret: SECRET }).register('a', {
          ...explicit,
          authorizeUrl: 'http://idp.lan/a',
          allowInsecureRequests: true,
        }),
      ),
    ).toBeUndefined()
  })

  it('refuses a short transaction secret', () => {
    expect(codeOf(() => new OAuth({ secret: 'short' }))).toMatch(/^config_invalid: .*32 characters/)
  })
})

describe('errors', () => {
  it('are recognised across module copies by brand, not instanceof', () => {
    const foreign = Object.assign(new Error('x'), {
      code: ErrorCode.TIMEOUT,
      [Symbol.for('oauthkit.error')]: true,
    })
    expect(isOAuthKitError(foreign)).toBe(true)
    expect(isOAuthKitError(foreign, ErrorCode.TIMEOUT)).toBe(true)
    expect(isOAuthKitError(foreign, ErrorCode.NETWORK_ERROR)).toBe(false)
    expect(isOAuthKitError(new Error('x'))).toBe(false)
    expect(isOAuthKitError(null)).toBe(false)
  })
})
