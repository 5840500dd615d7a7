/**
 * Compile-time checks (run by `npm run typecheck`): the bound app is typed per app kind. Each
 * `@ts-expect-error` fails the typecheck if the line below it ever compiles.
 */
import {
  MemoryCookieJar,
  OAuth,
  type NormalizedProfile,
  type OAuth1Token,
  type OAuth2Token,
  type UserInfo,
} from '../../src/index.js'

const bound = new OAuth({ secret: 'a-test-secret-that-is-at-least-32-characters' })
  .register('op', {
    serverMetadataUrl: 'https://idp.test/.well-known/openid-configuration',
    clientId: 'c',
  })
  .register('x', {
    requestTokenUrl: 'https://x.test/rt',
    authorizeUrl: 'https://x.test/a',
    accessTokenUrl: 'https://x.test/at',
    clientId: 'k',
    clientSecret: 's',
  })
  .bind({ cookies: new MemoryCookieJar() })

export const checks = async () => {
  const info: UserInfo = await bound.create('op').userinfo()
  const profile: NormalizedProfile = await bound.create('op').profile()
  const logout: Response = await bound.create('op').logoutRedirect()
  const token: OAuth2Token = await bound.create('op').authorizeAccessToken()
  const oauth1: OAuth1Token = await bound.create('x').authorizeAccessToken()
  const oauth1Profile: NormalizedProfile = await bound.create('x').profile()
  // @ts-expect-error an OAuth 1 app has no userinfo endpoint
  await bound.create('x').userinfo()
  // @ts-expect-error nor RP-initiated logout
  await bound.create('x').logoutRedirect()
  const op = bound.create('op')
  // @ts-expect-error the bound app holds the context: it takes the redirect URI only
  await op.authorizeRedirect({ cookies: new MemoryCookieJar() }, 'https://app.test/cb')
  return [info, profile, logout, token, oauth1, oauth1Profile]
}
