/**
 * authentik — OpenID Connect against an authentik OAuth2/OpenID provider (self-hosted).
 *
 * Followed, as of 2026-11: "OAuth 2.0 provider" (https://docs.goauthentik.io/docs/add-secure-apps/providers/oauth2/)
 * and its "Property mappings / scope mappings" page. Written from knowledge of those pages, not from a
 * fresh reading. Unsure: which authentik versions send a real `email_verified` — the default `email`
 * scope mapping long sent `true` for every user whatever the address; newer ones read the user's
 * attribute — so the preset leaves `email_verified` unset unless `trustEmailVerified` says your
 * server's mapping is trustworthy.
 *
 * @module
 */
import type { NormalizedProfile } from '../app/config.js'
import type { OAuth2AppConfig, ProfileLoader } from '../oauth2/config.js'
import { definePreset, type PresetOptions, checkPresetKeys } from './preset.js'
import { claimsProfile, presetError, trimSlash } from './oidc-profile.js'

/** authentik's userinfo claims (scopes `openid profile email`). @group Identity platform presets */
export interface AuthentikProfile {
  /** By default a hash of the user id, per the provider's "subject mode". */
  sub: string
  name?: string
  given_name?: string
  preferred_username?: string
  nickname?: string
  email?: string
  email_verified?: boolean
  /** The user's group names. */
  groups?: string[]
  [claim: string]: unknown
}

/** Options of {@link authentik}. @group Identity platform presets */
export interface AuthentikOptions extends PresetOptions {
  /** The server's URL, e.g. `https://auth.example.com`. */
  baseUrl: string
  /** The application's slug: the provider's issuer is `${baseUrl}/application/o/${slug}/`. */
  slug: string
  /** Take the server's `email_verified` as it is (only when its email scope mapping says the truth). Default false. */
  trustEmailVerified?: boolean
}

/**
 * authentik (OpenID Connect by discovery). Its issuer ends with a slash
 * (`…/application/o/{slug}/`), which the issuer derived from the discovery URL would lack, so the
 * preset names it; logout is the per-application `end-session/` endpoint, discovered. The profile is
 * userinfo's, `groups` in `raw`; `email_verified` is dropped unless `trustEmailVerified`.
 *
 * @example
 * ```ts
 * import { OAuth } from 'oauthkit'
 * import { authentik } from 'oauthkit/providers'
 *
 * const oauth = new OAuth({ secret: process.env.OAUTH_SECRET }).register(
 *   'authentik',
 *   authentik({ baseUrl: 'https://auth.example.com', slug: 'portal', clientId: process.env.AUTHENTIK_CLIENT_ID!, clientSecret: process.env.AUTHENTIK_CLIENT_SECRET }),
 * )
 * const { sub, raw } = await oauth.create('authentik').profile(token) // raw.groups
 * ```
 * @group Identity platform presets
 */
export function authentik(
  options: AuthentikOptions,
): OAuth2AppConfig & { profile: ProfileLoader<AuthentikProfile> } {
  checkPresetKeys('authentik', options, ['baseUrl', 'slug', 'trustEmailVerified'])
  const { baseUrl, slug, trustEmailVerified = false, ...rest } = options
  if (typeof baseUrl !== 'string' || !URL.canParse(baseUrl))
    throw presetError(
      'authentik',
      'baseUrl',
      'must be the server URL, e.g. https://auth.example.com',
    )
  if (typeof slug !== 'string' || !/^[\w-]+$/.test(slug))
    throw presetError('authentik', 'slug', "must be the application's slug")
  const issuer = `${trimSlash(baseUrl)}/application/o/${slug}/`
  return definePreset(rest, {
    // The issuer keeps its trailing slash; the discovery URL hangs below it.
    issuer,
    serverMetadataUrl: `${issuer}.well-known/openid-configuration`,
    scope: 'openid profile email',
    profile: authentikProfile(trustEmailVerified),
  })
}

function authentikProfile(trust: boolean): ProfileLoader<AuthentikProfile> {
  return async (api, token): Promise<NormalizedProfile<AuthentikProfile>> => {
    const profile = claimsProfile((await api.userinfo(token)) as AuthentikProfile)
    // Older default mappings sent email_verified: true for every address (see the module comment).
    if (!trust) delete profile.email_verified
    return profile
  }
}
