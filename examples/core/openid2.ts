/**
 * An OpenID 2.0 app (Steam) beside the OAuth ones: same registry, same login and callback calls; the
 * result is the verified identity. test/interop/openid2.test.ts runs this flow against python-openid's
 * provider, test/providers/steam.test.ts against the Steam emulation.
 */
import { MemoryCookieJar, OAuth, type OpenIdIdentity } from 'oauthkit'
import { steam, steamId } from 'oauthkit/providers'

const oauth = new OAuth({ secret: process.env.OAUTH_SECRET })
  .register('steam', steam({ apiKey: process.env.STEAM_API_KEY })) // openIdEndpoint: an OpenIdApp
  .register('op', { openIdEndpoint: 'https://openid.example/server', sreg: ['nickname', 'email'] })

// The login route: checkid_setup (identifier_select), the state sealed in a cookie and in return_to.
export function login(cookies: MemoryCookieJar): Promise<Response> {
  return oauth.create('steam').authorizeRedirect({ cookies }, 'https://app.example/auth/steam/callback')
}

// The callback route: the assertion is checked, then verified with Steam (check_authentication).
export async function callback(request: Request, cookies: MemoryCookieJar): Promise<OpenIdIdentity> {
  const identity = await oauth.create('steam').authorizeAccessToken({ cookies, request })
  console.log(steamId(identity), identity.claimed_id) // "7656119…", https://steamcommunity.com/openid/id/7656119…
  return identity
}

// The profile: Steam's Web API (GetPlayerSummaries) with the key; another provider's SREG / AX values.
export function whoIs(identity: OpenIdIdentity) {
  return oauth.create(identity.op_endpoint.includes('steamcommunity') ? 'steam' : 'op').profile(identity)
}
