/**
 * The userinfo endpoint (OIDC Core §5.3) and the standard claims as a normalised profile.
 *
 * @module
 */
import * as jose from 'jose'
import * as oauth from 'oauth4webapi'
import type { NormalizedProfile } from '../app/config.js'
import { ErrorCode, OAuthKitError } from '../errors/error.js'
import { userinfoError } from '../errors/upstream.js'
import type { OAuth2Token, UserInfo } from '../types.js'
import { dpopHandle } from './dpop.js'
import type { OAuth2Endpoints } from './endpoints.js'

/** Call the userinfo endpoint; a `sub` other than the ID token's is refused (§5.3.2). */
export async function userinfo(
  app: OAuth2Endpoints,
  token: Pick<OAuth2Token, 'access_token' | 'id_token' | 'userinfo' | 'dpop_jwk'>,
): Promise<UserInfo> {
  const as = await app.metadata()
  if (!as.userinfo_endpoint)
    throw new OAuthKitError(
      ErrorCode.METADATA_INVALID,
      `${app.name}: the provider has no userinfo_endpoint`,
      { app: app.name },
    )
  const expectedSub =
    token.userinfo?.sub ?? (token.id_token ? jose.decodeJwt(token.id_token).sub : undefined)
  let jwt: string | undefined
  let info: UserInfo
  try {
    const response = await oauth.userInfoRequest(
      as,
      app.client,
      token.access_token,
      // A DPoP-bound token goes with a proof of its key (RFC 9449 §7).
      token.dpop_jwk
        ? { ...app.options('userinfo'), DPoP: await dpopHandle(app.client, token.dpop_jwk) }
        : app.options('userinfo'),
    )
    // oauth4webapi checks a JWT answer's claims but not its signature: keep its text to verify below.
    if (isJwt(response)) jwt = await response.clone().text()
    info = (await oauth.processUserInfoResponse(
      as,
      app.client,
      expectedSub ?? oauth.skipSubjectCheck,
      response,
    )) as UserInfo
  } catch (error) {
    throw userinfoError(error, app.name, [token.access_token])
  }
  // OIDC Core §5.3.2: a signed answer is verified with the provider's keys and must name the issuer and this client.
  if (jwt !== undefined) await app.idTokens.verifyUserinfo(as, jwt)
  return info
}

function isJwt(response: Response): boolean {
  const type = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase()
  return response.status === 200 && type === 'application/jwt'
}

/** Standard OpenID Connect claims as a normalised profile. */
export function standardProfile(claims: {
  sub: string
  [claim: string]: unknown
}): NormalizedProfile {
  const profile: NormalizedProfile = { sub: claims.sub, raw: { ...claims } }
  if (typeof claims.name === 'string') profile.name = claims.name
  if (typeof claims.email === 'string') profile.email = claims.email
  if (typeof claims.email_verified === 'boolean') profile.email_verified = claims.email_verified
  if (typeof claims.picture === 'string') profile.picture = claims.picture
  return profile
}
