/**
 * The life of an OAuth 2 token between logins: resolving the token of an API call (given, or read
 * with `fetchToken`), refreshing it when due (single-flight in this process, and across processes
 * with the registry's `lock`), the client credentials token of a machine-to-machine app, adding it to
 * a request, and one refresh after a 401 `invalid_token`.
 *
 * @module
 */
import * as oauth from 'oauth4webapi'
import { tokenMissing } from '../app/arguments.js'
import type { LockFunction, LockLease } from '../app/services.js'
import { ErrorCode, isOAuthKitError, OAuthKitError } from '../errors/error.js'
import { toOAuthKitError } from '../errors/upstream.js'
import type { ApiAuthorizer, CallState } from '../http/api-call.js'
import { base64url } from '../session/transaction.js'
import type { DPoPJwk, IdTokenClaims, OAuth2Token, TokenContext } from '../types.js'
import { staticSecret } from './client-auth.js'
import type { OAuth2Endpoints } from './endpoints.js'
import { clientCredentials } from './grants/client-credentials.js'
import { toToken } from './token.js'
import {
  DPoPSigner,
  checkBound,
  dpopHandle,
  dpopKeyOf,
  newDPoPKey,
  withNonceRetry,
} from './dpop.js'

/** True for a DPoP-bound token (`token_type` DPoP, any case). */
function isDPoP(token: OAuth2Token): boolean {
  return typeof token.token_type === 'string' && token.token_type.toLowerCase() === 'dpop'
}

/** The key a refresh proves: the token's own, or for an app that turned DPoP on since, a new one. */
async function refreshKey(app: OAuth2Endpoints, token: OAuth2Token): Promise<DPoPJwk | undefined> {
  if (token.dpop_jwk !== undefined || isDPoP(token)) return dpopKeyOf(app.name, token)
  return app.config.dpop === true ? (await newDPoPKey()).jwk : undefined
}

/** Options of {@link OAuth2App.refreshToken}. @group Tokens */
export interface RefreshOptions {
  /** The request context, handed to `updateToken`. */
  ctx?: TokenContext
  /** Extra token request parameters (`scope`, `resource`, …). */
  params?: Record<string, string>
  /**
   * `false`: hand the new token back only, not to `updateToken` (the token route refreshes a native
   * client's token, which the app does not keep).
   * @internal
   */
  persist?: false
}

/** How long a refresh's result answers late callers holding the old token, in milliseconds. */
const RECENT_MS = 60_000

/** An OAuth 2 app's tokens for API calls: the {@link ApiAuthorizer} of its API client. */
export class TokenLifecycle implements ApiAuthorizer<OAuth2Token> {
  readonly #app: OAuth2Endpoints
  readonly #read: (ctx: TokenContext | undefined) => Promise<OAuth2Token | undefined>
  readonly #lock?: LockFunction
  readonly #readsTokens: () => boolean
  readonly #inflight = new Map<string, Promise<OAuth2Token>>()
  readonly #dpop: DPoPSigner
  /** Results of recent refreshes by old refresh token, so a late caller holding it gets the new token. */
  readonly #recent = new Map<string, { token: OAuth2Token; at: number }>()

  /**
   * @param read - the app's `fetchToken` (else the registry's), or undefined when neither is set.
   * @param lock - the registry's cross-process lock.
   * @param readsTokens - whether a `fetchToken` is configured (for the message when there is no token).
   */
  constructor(
    app: OAuth2Endpoints,
    read: (ctx: TokenContext | undefined) => Promise<OAuth2Token | undefined>,
    lock: LockFunction | undefined,
    readsTokens: () => boolean,
  ) {
    this.#app = app
    this.#read = read
    this.#readsTokens = readsTokens
    this.#dpop = new DPoPSigner(app.name)
    if (lock) this.#lock = lock
  }

  /** The call's token: given, else `fetchToken`'s; refreshed first when due; a client credentials app fetches its own. */
  async resolve(state: CallState<OAuth2Token>): Promise<OAuth2Token> {
    const app = this.#app
    let token = state.token ?? (await this.#read(state.ctx))
    if (!token) {
      if (app.config.grantType !== 'client_credentials')
        throw tokenMissing(app.name, this.#readsTokens())
      token = await this.#singleFlight('client_credentials', () =>
        clientCredentials(app, { ctx: state.ctx }),
      )
    } else if (this.isDue(token)) {
      token = await this.refresh(token, { ctx: state.ctx })
    }
    state.token = token
    return token
  }

  /** The userinfo endpoint's origin, known once the metadata is: the token may go there too. */
  async origins(): Promise<readonly string[]> {
    const endpoint = (await this.#app.metadata()).userinfo_endpoint
    return endpoint ? [endpoint] : []
  }

  /** The call's token when it can be used as it is, without waiting. */
  ready(state: CallState<OAuth2Token>): OAuth2Token | undefined {
    return state.token && !this.isDue(state.token) ? state.token : undefined
  }

  /** True when the token expires within the app's `leeway` (default 60 s). */
  isDue(token: OAuth2Token): boolean {
    return (
      typeof token.expires_at === 'number' &&
      token.expires_at - (this.#app.config.leeway ?? 60) <= Date.now() / 1000
    )
  }

  /** Add the token to `request`, the outgoing copy only `fetch` sees (so it may be changed in place). */
  authorize(request: Request, token: OAuth2Token): Request | Promise<Request> {
    const { name, config } = this.#app
    if (typeof token.access_token !== 'string' || token.access_token === '') {
      throw new OAuthKitError(ErrorCode.TOKEN_MISSING, `${name}: the token has no access_token`, {
        app: name,
      })
    }
    if (isDPoP(token)) return this.#dpop.authorize(request, token)
    if (typeof token.token_type !== 'string' || token.token_type.toLowerCase() !== 'bearer') {
      throw new OAuthKitError(
        ErrorCode.UNSUPPORTED_TOKEN_TYPE,
        `${name}: token_type "${String(token.token_type)}" is not supported; only Bearer tokens are sent`,
        { app: name },
      )
    }
    if (config.tokenPlacement === 'uri') {
      // Only when the app asks: a token in a URL leaks through logs and Referer (RFC 9700 §4.3.2).
      const url = new URL(request.url)
      url.searchParams.set('access_token', token.access_token)
      return new Request(url, request)
    }
    request.headers.set('authorization', `Bearer ${token.access_token}`)
    return request
  }

  /** `Bearer <token>` when the header is all `authorize` would add; else undefined. */
  header(token: OAuth2Token): string | undefined {
    const { access_token: access, token_type: type } = token
    return this.#app.config.tokenPlacement !== 'uri' &&
      typeof access === 'string' &&
      access !== '' &&
      typeof type === 'string' &&
      type.toLowerCase() === 'bearer'
      ? `Bearer ${access}`
      : undefined
  }

  /** A 401 with `error="invalid_token"` (RFC 6750 §3.1) is worth one refresh, when one is possible. */
  async recover(response: Response, state: CallState<OAuth2Token>, url: string): Promise<boolean> {
    // RFC 9449 §9: a resource server's nonce earns one retry with it, the token unchanged.
    if (state.token && isDPoP(state.token) && this.#dpop.nonceRetry(response, url)) return true
    const challenge = response.headers.get('www-authenticate') ?? ''
    if (
      !/^\s*(bearer|dpop)\b/i.test(challenge) ||
      !/\berror\s*=\s*"?invalid_token"?/i.test(challenge)
    )
      return false
    const token = state.token
    if (!token || (!token.refresh_token && this.#app.config.grantType !== 'client_credentials'))
      return false
    state.token = await this.refresh(token, { ctx: state.ctx })
    return true
  }

  /** One refresh per old token at a time, in this process and (with `lock`) across processes. */
  async refresh(token: OAuth2Token, options: RefreshOptions): Promise<OAuth2Token> {
    const app = this.#app
    const isClientCredentials = app.config.grantType === 'client_credentials'
    if (!isClientCredentials && !token.refresh_token) {
      throw new OAuthKitError(
        ErrorCode.REAUTHENTICATION_REQUIRED,
        `${app.name}: the token expired and has no refresh_token; sign the user in again`,
        { app: app.name },
      )
    }
    // A client's token (the token route): straight to the provider. The shared results below would hand
    // a rotated-away refresh token the new token for a minute, and hide its replay from the provider.
    if (options.persist === false && !isClientCredentials) return this.#refresh(token, options)
    const key = await this.#refreshKey(
      isClientCredentials ? token.access_token : token.refresh_token!,
    )
    const recent = this.#recent.get(key)
    if (recent && Date.now() - recent.at < RECENT_MS) return recent.token
    return this.#singleFlight(key, async () => {
      // Another process may have refreshed while this one waited for the lock.
      const refreshedElsewhere = async () => {
        const stored = this.#lock ? await this.#read(options.ctx) : undefined
        return stored && stored.access_token !== token.access_token && !this.isDue(stored)
          ? stored
          : undefined
      }
      const run = async (lease?: LockLease) =>
        (await refreshedElsewhere()) ??
        (isClientCredentials
          ? clientCredentials(app, { ctx: options.ctx })
          : this.#refresh(token, options, lease))
      let fresh: OAuth2Token
      try {
        fresh = this.#lock ? await this.#lock(`oauthkit:refresh:${key}`, run) : await run()
      } catch (error) {
        // A stale holder's token was fenced off: the holder that took over stored the current one.
        const stored = isLockLost(error) ? await refreshedElsewhere() : undefined
        if (!stored) throw error
        fresh = stored
      }
      const now = Date.now()
      for (const [k, v] of this.#recent)
        if (now - v.at >= RECENT_MS || this.#recent.size > 1000) this.#recent.delete(k)
      this.#recent.set(key, { token: fresh, at: now })
      return fresh
    })
  }

  #singleFlight(key: string, fn: () => Promise<OAuth2Token>): Promise<OAuth2Token> {
    let pending = this.#inflight.get(key)
    if (!pending) {
      pending = fn().finally(() => this.#inflight.delete(key))
      this.#inflight.set(key, pending)
    }
    return pending
  }

  /** A digest of the token, so no secret is kept as a map key or sent to a lock service. */
  async #refreshKey(secret: string): Promise<string> {
    const digest = await crypto.subtle.digest(
      'SHA-256',
      new TextEncoder().encode(`${this.#app.name}\0${secret}`),
    )
    return base64url(new Uint8Array(digest))
  }

  async #refresh(
    token: OAuth2Token,
    options: RefreshOptions,
    lease?: LockLease,
  ): Promise<OAuth2Token> {
    const app = this.#app
    let fresh: OAuth2Token
    try {
      const as = await app.metadata()
      const clientAuth = await app.clientAuth()
      // RFC 9449 §5: a DPoP-bound token is refreshed with its own key.
      const key = await refreshKey(app, token)
      const DPoP = key && (await dpopHandle(app.client, key))
      const send = () =>
        oauth.refreshTokenGrantRequest(as, app.client, clientAuth, token.refresh_token!, {
          ...app.options('refresh'),
          additionalParameters: options.params,
          ...(DPoP && { DPoP }),
        })
      const response = DPoP ? await withNonceRetry(send) : await send()
      // Like the login, a refreshed ID token is checked against the issuer idTokenIssuer names (multi-tenant); §12.2 below pins it to the login's.
      const asForToken = { ...as, issuer: await app.idTokens.issuerFor(response, as.issuer) }
      const result = await oauth.processRefreshTokenResponse(asForToken, app.client, response)
      if (key) checkBound(app.name, result.token_type)
      const claims = oauth.getValidatedIdTokenClaims(result) as IdTokenClaims | undefined
      if (result.id_token && claims) {
        await app.idTokens.verify(asForToken, result.id_token)
        // OIDC Core §12.2: a refreshed ID token must name the same issuer and subject.
        const previous = token.userinfo
        if (previous && (claims.iss !== previous.iss || claims.sub !== previous.sub)) {
          throw new OAuthKitError(
            ErrorCode.ID_TOKEN_INVALID,
            `${app.name}: the refreshed ID token names another issuer or subject`,
            { app: app.name },
          )
        }
      }
      fresh = toToken(result, claims)
      if (key) fresh.dpop_jwk = key
      if (!claims && token.userinfo) fresh.userinfo = token.userinfo
      if (fresh.refresh_token === undefined && token.refresh_token !== undefined)
        fresh.refresh_token = token.refresh_token
    } catch (error) {
      const cause = toOAuthKitError(error, app.name, 'refresh', [
        token.refresh_token,
        token.access_token,
        staticSecret(app.config),
      ])
      throw new OAuthKitError(
        ErrorCode.REAUTHENTICATION_REQUIRED,
        `${app.name}: the token could not be refreshed (${cause.code}${cause.error ? `: ${cause.error}` : ''}); sign the user in again`,
        {
          app: app.name,
          cause,
          error: cause.error,
          errorDescription: cause.errorDescription,
          status: cause.status,
        },
      )
    }
    if (options.persist === false) return fresh
    // Fencing: a holder whose lease ran out (another took the lock over) must not write its token.
    if (lease && !(await lease.held())) throw lockLost(app.name)
    await app.persist(fresh, {
      reason: 'refresh',
      ctx: options.ctx,
      refreshToken: token.refresh_token,
      accessToken: token.access_token,
      ...(lease ? { fence: lease.fence } : {}),
    })
    return fresh
  }
}

/** The refresh lock's lease ran out under this holder: its token is not written (fencing). */
function lockLost(app: string): OAuthKitError {
  return new OAuthKitError(
    ErrorCode.LOCK_LOST,
    `${app}: the refresh lock's lease ran out and another process took it over; this process's refreshed token is not stored`,
    { app },
  )
}

function isLockLost(error: unknown): boolean {
  return isOAuthKitError(error) && error.code === ErrorCode.LOCK_LOST
}
