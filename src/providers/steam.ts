/**
 * Steam — "Sign in through Steam" (OpenID 2.0, an `OpenIdApp`) and the Steam Web API's
 * `ISteamUser/GetPlayerSummaries/v2` profile.
 *
 * Followed, as of 2026-11 (written without a browser, from Valve's pages as stored copies show them):
 * - Steamworks documentation "Steam Web API" and "User Authentication and Ownership"
 *   (partner.steamgames.com/doc/webapi_overview, …/doc/features/auth): websites sign users in with
 *   OpenID 2.0 at `https://steamcommunity.com/openid/login` (OP identifier `https://steamcommunity.com/openid`),
 *   and the claimed identifier is `https://steamcommunity.com/openid/id/<steamid>`, the 64-bit SteamID;
 * - the Valve Developer Community page "Steam Web API" (developer.valvesoftware.com/wiki/Steam_Web_API),
 *   `GetPlayerSummaries (v0002)`: `?key=<Web API key>&steamids=<comma-separated, up to 100>`, answering
 *   `{ "response": { "players": [ { steamid, personaname, profileurl, avatar, avatarmedium,
 *   avatarfull, communityvisibilitystate, … } ] } }`; an unknown id is simply left out of `players`.
 *
 * Not sure, and so not relied on: whether Steam still ever answers a claimed id with `http://` (old
 * libraries accepted both; this preset takes `https://` only and refuses the rest as belonging to no
 * provider it trusts); what a refused Web API key answers beyond HTTP 401/403 (an HTML page, read as
 * the status alone). Steam sends no SREG or AX attributes and never an email.
 *
 * @module
 */
import { HTTPError } from 'ky'
import { ErrorCode, OAuthKitError } from '../errors/error.js'
import type { NormalizedProfile } from '../app/config.js'
import type { OpenIdAppConfig, OpenIdProfileLoader } from '../openid2/config.js'
import type { OpenIdIdentity, RequestHook } from '../types.js'
import { checkPresetKeys } from './preset.js'

const STEAM_OPENID = 'https://steamcommunity.com/openid/login'
const STEAM_ID_PREFIX = 'https://steamcommunity.com/openid/id/'
const STEAM_API = 'https://api.steampowered.com'

/** One player of `GetPlayerSummaries` (the fields oauthkit reads; Steam sends more). @group Social and consumer presets */
export interface SteamProfile {
  /** The 64-bit SteamID, as a string (it does not fit a JSON number exactly). */
  steamid: string
  /** The display name. */
  personaname: string
  profileurl?: string
  /** 32×32, 64×64 and 184×184 avatars. */
  avatar?: string
  avatarmedium?: string
  avatarfull?: string
  /** 1: private, 3: public (then the other fields are visible). */
  communityvisibilitystate?: number
  /** Set only when the user made it public. */
  realname?: string
  [field: string]: unknown
}

/** Options of {@link steam}. @group Social and consumer presets */
export interface SteamOptions extends Partial<
  Omit<OpenIdAppConfig, 'openIdEndpoint' | 'claimedIdPrefix' | 'identifier' | 'profile'>
> {
  /**
   * The Steam Web API key (steamcommunity.com/dev/apikey) `profile()` reads the player with. Without
   * one, `profile()` is `unsupported_operation`; the login itself needs none.
   */
  apiKey?: string
}

/**
 * The 64-bit SteamID of a Steam login: the last segment of the claimed identifier
 * `https://steamcommunity.com/openid/id/<steamid>`. Undefined for any other identity.
 * @group Social and consumer presets
 */
export function steamId(identity: Pick<OpenIdIdentity, 'claimed_id'>): string | undefined {
  const claimed = identity?.claimed_id
  if (typeof claimed !== 'string' || !claimed.startsWith(STEAM_ID_PREFIX)) return undefined
  const id = claimed.slice(STEAM_ID_PREFIX.length)
  return /^\d{17}$/.test(id) ? id : undefined
}

/** Add the Web API key to API calls: Steam's Web API takes it as the `key` query parameter. */
function steamApiKey(apiKey: string): RequestHook {
  return (request) => {
    const url = new URL(request.url)
    url.searchParams.set('key', apiKey)
    return new Request(url, request)
  }
}

/** `GetPlayerSummaries` for the SteamID of the claimed id → the normalised profile. */
function steamProfile(hasKey: boolean): OpenIdProfileLoader<SteamProfile> {
  return async (api, identity) => {
    const id = steamId(identity)
    if (id === undefined)
      throw new OAuthKitError(
        ErrorCode.INVALID_REQUEST,
        `${api.name}: the identity is not a Steam one (claimed_id ${STEAM_ID_PREFIX}<17 digits>)`,
        { app: api.name },
      )
    if (!hasKey)
      throw new OAuthKitError(
        ErrorCode.UNSUPPORTED_OPERATION,
        `${api.name}: profile() reads the Steam Web API, which needs apiKey in steam({ apiKey })`,
        { app: api.name },
      )
    let body: { response?: { players?: SteamProfile[] } }
    try {
      body = await api.getJson(`ISteamUser/GetPlayerSummaries/v2/?steamids=${id}`, identity)
    } catch (error) {
      // A refused key is an HTML page with 401/403: the status is all there is (and the URL holds the key).
      if (error instanceof HTTPError)
        throw new OAuthKitError(
          ErrorCode.HTTP_ERROR,
          `${api.name}: GetPlayerSummaries failed with HTTP ${error.response.status}${error.response.status === 401 || error.response.status === 403 ? ' (is the Web API key valid?)' : ''}`,
          { app: api.name, status: error.response.status },
        )
      throw error
    }
    const player = body?.response?.players?.find?.((p) => p?.steamid === id)
    // An unknown or deleted account is left out of `players`, not an error.
    if (!player || typeof player.personaname !== 'string')
      throw new OAuthKitError(
        ErrorCode.INVALID_RESPONSE,
        `${api.name}: GetPlayerSummaries did not return the player ${id}`,
        { app: api.name },
      )
    const profile: NormalizedProfile<SteamProfile> = {
      sub: id,
      name: player.personaname,
      raw: player,
    }
    const picture = player.avatarfull || player.avatarmedium || player.avatar
    if (picture) profile.picture = picture
    return profile
  }
}

/**
 * Sign in through Steam: an {@link OpenIdAppConfig} for Steam's OpenID 2.0 endpoint, its claimed
 * identifiers trusted as Steam's own namespace (no discovery request per login), and a `profile`
 * loader on the Web API. Quirks and how they are handled:
 * - Steam speaks OpenID 2.0, not OAuth: the app is an `OpenIdApp`, its "token" the verified
 *   identity; the SteamID64 is the claimed id's last segment ({@link steamId}), and `profile().sub`;
 * - the profile needs a Web API key, sent as the `key` query parameter by a `protectedRequest` hook
 *   (only to `api.steampowered.com`, the app's API origin);
 * - an unknown account is missing from `players` rather than an error: `invalid_response`;
 * - no SREG / AX, no email.
 *
 * @example
 * ```ts
 * const oauth = new OAuth({ secret }).register('steam', steam({ apiKey: process.env.STEAM_API_KEY }))
 * const identity = await oauth.create('steam').authorizeAccessToken(ctx)
 * const id = steamId(identity) // "7656119…"
 * ```
 * @group Social and consumer presets
 */
export function steam(
  options: SteamOptions = {},
): OpenIdAppConfig & { profile: OpenIdProfileLoader<SteamProfile> } {
  checkPresetKeys('steam', options, ['apiKey'], 'openid2')
  const { apiKey, hooks, ...rest } = options
  if (apiKey !== undefined && (typeof apiKey !== 'string' || apiKey === ''))
    throw new OAuthKitError(ErrorCode.CONFIG_INVALID, 'steam(): apiKey must be a non-empty string')
  const overrides = Object.fromEntries(
    Object.entries(rest).filter(([, value]) => value !== undefined),
  ) as typeof rest
  const protectedRequest = [
    ...(apiKey === undefined ? [] : [steamApiKey(apiKey)]),
    ...[hooks?.protectedRequest ?? []].flat(),
  ]
  return {
    apiBaseUrl: STEAM_API,
    ...overrides,
    openIdEndpoint: STEAM_OPENID,
    // Steam's own identifiers: the OP that answers checkid_setup for them is steamcommunity.com.
    claimedIdPrefix: STEAM_ID_PREFIX,
    hooks: { ...hooks, ...(protectedRequest.length > 0 && { protectedRequest }) },
    profile: steamProfile(apiKey !== undefined),
  }
}
