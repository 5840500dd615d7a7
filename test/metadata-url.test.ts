/**
 * `register` checks a `serverMetadataUrl` exactly as the first login will read it (one function,
 * metadata.ts's issuerFromMetadataUrl): a URL the issuer cannot be derived from needs `issuer`, and is
 * refused at register, not at the first login.
 */
import { describe, expect, it } from 'vitest'
import { ErrorCode, OAuth, isOAuthKitError } from '../src/index.js'
import { REDIRECT, SECRET } from './support/helpers.js'

const register = (serverMetadataUrl: string, issuer?: string) => () =>
  new OAuth({ secret: SECRET })
    .register('dot', { serverMetadataUrl, clientId: 'c', ...(issuer ? { issuer } : {}) })
    .create('dot')

describe('serverMetadataUrl at register', () => {
  it.each([
    'https://idp.test/.well-known/openid-configuration',
    'https://idp.test/realms/x/.well-known/openid-configuration',
    'https://idp.test/realms/x/.well-known/openid-configuration?tenant=1',
    'https://idp.test/.well-known/oauth-authorization-server',
    'https://idp.test/.well-known/oauth-authorization-server/tenant/x',
    'https://idp.test/.well-known/openid-configuration/tenant/x',
  ])('accepts %s without issuer (the issuer is read from it)', (url) => {
    expect(register(url)).not.toThrow()
  })

  it.each([
    // django-oauth-toolkit serves its discovery with a trailing slash.
    ['https://idp.test/o/.well-known/openid-configuration/', "'https://idp.test/o'"],
    // RFC 8414's segment goes right after the host, not after a path.
    ['https://idp.test/tenant/.well-known/oauth-authorization-server', "'https://idp.test/tenant'"],
    ['https://idp.test/o/discovery.json', undefined],
  ])('refuses %s without issuer, saying to give it', (url, guess) => {
    let error: unknown
    try {
      register(url)()
    } catch (e) {
      error = e
    }
    expect(isOAuthKitError(error, ErrorCode.CONFIG_INVALID)).toBe(true)
    expect((error as Error).message).toBe(
      'app "dot": serverMetadataUrl is not a well-known metadata URL the issuer can be read from (the issuer + /.well-known/openid-configuration, or /.well-known/oauth-authorization-server + the issuer\'s path): give issuer too, exactly as the provider\'s metadata names it' +
        (guess ? ` (most likely issuer: ${guess})` : ''),
    )
  })

  it('with issuer given, the trailing-slash URL registers and its login starts', async () => {
    const url = 'https://idp.test/o/.well-known/openid-configuration/'
    const metadata = {
      issuer: 'https://idp.test/o',
      authorization_endpoint: 'https://idp.test/o/authorize/',
      token_endpoint: 'https://idp.test/o/token/',
    }
    const fetched: string[] = []
    const app = new OAuth({ secret: SECRET })
      .register('dot', {
        serverMetadataUrl: url,
        issuer: 'https://idp.test/o',
        clientId: 'c',
        fetch: async (input) => {
          fetched.push(input instanceof Request ? input.url : String(input))
          return Response.json(metadata)
        },
      })
      .create('dot')
    const { url: authorize } = await app.createAuthorizationUrl(REDIRECT)
    expect(fetched).toEqual([url])
    expect(authorize.origin + authorize.pathname).toBe('https://idp.test/o/authorize/')
  })
})
