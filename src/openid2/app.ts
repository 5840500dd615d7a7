/**
 * An OpenID 2.0 relying party (the protocol Steam still uses): `checkid_setup` out, a positive
 * assertion back, verified directly with the provider (`check_authentication`), on the same base as
 * the OAuth apps.
 *
 * @module
 */
import type {
  AuthorizeAccessTokenOptions,
  AuthorizeOptions,
  AuthorizationRequest,
  CompletedAuthorization,
} from '../app/base.js'
import { RemoteAppBase } from '../app/base.js'
import { tokenMissing } from '../app/arguments.js'
import { publicCallbackParams, sameOriginPath } from '../app/callback.js'
import type { NormalizedProfile } from '../app/config.js'
import type { AppServices } from '../app/services.js'
import { AUTHORIZE_OPTION_KEYS, asAuthorizeParam, checkKnownKeys } from '../config-keys.js'
import { ErrorCode, OAuthKitError } from '../errors/error.js'
import type { ApiAuthorizer, CallState } from '../http/api-call.js'
import { HttpClient } from '../http/client.js'
import { MemoryReplayGuard, type ReplayGuard, type Transaction } from '../session/transaction.js'
import type { AppToken, OAuthContext, OpenIdIdentity, TokenContext } from '../types.js'
import type { OpenIdAppConfig, OpenIdProfileApi } from './config.js'
import { checkidParams, realmCovers } from './message.js'
import { verifyAssertion } from './verify.js'

/** The query parameter of `return_to` that carries the login's state. */
const STATE_PARAM = 'state'
/** The `openid.*` parameters oauthkit sets; `params` cannot override them. */
const OWN_PARAMS = ['openid.ns', 'openid.mode', 'openid.return_to', 'openid.realm']
/** Nonces remembered per app: far more than logins finish in a nonce window. */
const MAX_NONCES = 10_000

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
}

/**
 * An OpenID 2.0 relying party, made by {@link OAuth.register} for a config with `openIdEndpoint`.
 * Its "token" is the verified {@link OpenIdIdentity} (claimed identifier and signed attributes),
 * handed to `updateToken` on login.
 *
 * Errors (every one an {@link OAuthKitError}):
 * - the user cancelled: `access_denied`; the provider answered `error`: `authorization_error`;
 * - a callback that is not an OpenID 2.0 `id_res`, or repeats a parameter: `invalid_authorization_response`;
 * - no `state` in the callback URL: `state_missing`; a login not started in this browser, replayed or
 *   expired: `transaction_not_found` / `transaction_expired` / `transaction_invalid` / `app_mismatch`;
 * - anything wrong with the assertion itself — not confirmed by `check_authentication`, an unsigned
 *   required field, `return_to` or `op_endpoint` not this login's, a stale or reused
 *   `response_nonce`, a claimed identifier of another provider: `openid_assertion_invalid`.
 *
 * @example
 * ```ts
 * const oauth = new OAuth({ secret }).register('steam', {
 *   openIdEndpoint: 'https://steamcommunity.com/openid/login',
 *   claimedIdPrefix: 'https://steamcommunity.com/openid/id/',
 * })
 * // login route
 * return oauth.create('steam').authorizeRedirect(ctx, 'https://app.example/auth/steam/callback')
 * // callback route
 * const { claimed_id } = await oauth.create('steam').authorizeAccessToken(ctx)
 * ```
 * @group OpenID 2.0
 */
export class OpenIdApp extends RemoteAppBase<OpenIdIdentity, OpenIdAppConfig> {
  /** Always `'openid2'`. */
  readonly kind = 'openid2' as const
  /** @internal */
  protected readonly tokenShape = 'an OpenID identity with claimed_id'
  readonly #http: HttpClient
  readonly #nonces: ReplayGuard
  readonly #authorizer: ApiAuthorizer<OpenIdIdentity>

  /** @internal */
  constructor(name: string, config: OpenIdAppConfig, services: AppServices) {
    super(name, config, services)
    // The registry's guard (shared by every process with RedisReplayGuard), else one per app.
    this.#nonces = services.replayGuard ?? new MemoryReplayGuard(MAX_NONCES)
    const hooks = config.hooks ?? {}
    this.#http = new HttpClient({
      app: name,
      fetch: this.fetchFunction,
      timeout: this.timeout,
      maxResponseSize: this.maxResponseSize,
      hooks: {
        response: {
          check_authentication: hooks.checkAuthenticationResponse,
          discovery: hooks.discoveryResponse,
        },
      },
      userAgent: config.userAgent,
    })
    this.#authorizer = {
      resolve: (state) => this.#resolve(state),
      // An identity is no credential: a preset adds its API key in a protectedRequest hook.
      authorize: (request) => request,
    }
  }

  /**
   * Build the `checkid_setup` request (identifier_select unless `identifier` is set, AX / SREG when
   * configured) without storing anything: the URL, and the transaction the callback will need.
   * `return_to` is the redirect URI with the login's `state` added.
   */
  async createAuthorizationUrl(
    redirectUri: string,
    options: AuthorizeOptions = {},
  ): Promise<AuthorizationRequest> {
    checkKnownKeys(
      this.name,
      'authorizeRedirect options',
      options,
      AUTHORIZE_OPTION_KEYS,
      asAuthorizeParam,
    )
    const fail = (why: string) =>
      new OAuthKitError(ErrorCode.INVALID_REQUEST, `${this.name}: ${why}`, { app: this.name })
    if (typeof redirectUri !== 'string' || !URL.canParse(redirectUri))
      throw fail('redirectUri is not an absolute URL')
    const target = new URL(redirectUri)
    if (target.hash) throw fail('redirectUri must not have a fragment')
    if (target.searchParams.has(STATE_PARAM))
      throw fail(
        `redirectUri must not have a "${STATE_PARAM}" parameter: oauthkit adds the login's own`,
      )
    const key = base64url(crypto.getRandomValues(new Uint8Array(32)))
    target.searchParams.set(STATE_PARAM, key)
    const returnTo = target.href
    const realm = this.config.realm ?? `${target.origin}/`
    if (!realmCovers(realm, returnTo))
      throw fail(`redirectUri is not under the realm ${realm} (OpenID 2.0 §9.2)`)
    const url = new URL(this.config.openIdEndpoint)
    const params = checkidParams(this.config, returnTo, realm)
    for (const [name, value] of Object.entries(options.params ?? {})) {
      if (OWN_PARAMS.includes(name)) throw fail(`the "${name}" parameter is set by oauthkit`)
      if (typeof value !== 'string') throw fail(`parameter "${name}" must be a string`)
      params[name] = value
    }
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value)
    const transaction: Transaction = { app: this.name, key, redirectUri, createdAt: Date.now() }
    const back = sameOriginPath(options.returnTo)
    if (back) transaction.returnTo = back
    return { url, transaction }
  }

  /**
   * Finish a login on the callback route: take the transaction named by the callback's `state` (once;
   * deleted whatever happens), verify the assertion (see the class's errors) and return the identity,
   * with the `returnTo` path the login was started with. `updateToken` gets the identity.
   */
  async completeAuthorization(
    ctx: OAuthContext,
    options: AuthorizeAccessTokenOptions = {},
  ): Promise<CompletedAuthorization<OpenIdIdentity>> {
    const { params, take } = await this.callback(ctx)
    // The state is in return_to's query, so in the URL even when the provider POSTs the assertion.
    const current = new URL(ctx.request!.url)
    const states = current.searchParams.getAll(STATE_PARAM)
    if (states.length !== 1 || !states[0])
      throw new OAuthKitError(
        ErrorCode.STATE_MISSING,
        `${this.name}: the callback URL has ${states.length > 1 ? 'more than one' : 'no'} state parameter`,
        { app: this.name },
      )
    const tx = await take(states[0])
    const returnTo = new URL(tx.redirectUri)
    returnTo.searchParams.set(STATE_PARAM, tx.key)
    const identity = await verifyAssertion({
      app: this.name,
      config: this.config,
      params,
      current,
      returnTo: returnTo.href,
      http: this.#http,
      nonces: this.#nonces,
    })
    if (options.persist !== false) await this.persist(identity, { reason: 'login', ctx })
    // The assertion's own openid.* fields are in the identity (signed ones only); the rest as sent.
    const received = publicCallbackParams(
      new URLSearchParams([...params].filter(([key]) => !key.startsWith('openid.'))),
    )
    return tx.returnTo === undefined
      ? { token: identity, params: received }
      : { token: identity, returnTo: tx.returnTo, params: received }
  }

  /**
   * The user's profile, normalised, by the config's `profile` loader (Steam's Web API), else from the
   * signed SREG / AX attributes: `sub` is the claimed identifier. The identity defaults to
   * `fetchToken(name, ctx)`.
   */
  async profile(identity?: OpenIdIdentity, ctx?: TokenContext): Promise<NormalizedProfile> {
    const current = identity ?? (await this.fetchToken(ctx))
    const loader = this.config.profile
    if (loader) {
      const api: OpenIdProfileApi = {
        name: this.name,
        getJson: <T>(url: string, token: OpenIdIdentity) => this.api.json<T>('GET', url, { token }),
      }
      return (await loader(api, current)) as NormalizedProfile
    }
    const ax = (uri: string) => current.ax?.[uri]?.[0]
    const profile: NormalizedProfile = { sub: current.claimed_id, raw: { ...current } }
    const name =
      current.sreg?.fullname ??
      ax('http://axschema.org/namePerson') ??
      current.sreg?.nickname ??
      ax('http://axschema.org/namePerson/friendly')
    const email = current.sreg?.email ?? ax('http://axschema.org/contact/email')
    if (name) profile.name = name
    // Neither SREG nor AX says whether the provider verified the address: email_verified is left out.
    if (email) profile.email = email
    return profile
  }

  /** @internal */
  protected apiAuthorizer(): ApiAuthorizer<OpenIdIdentity> {
    return this.#authorizer
  }

  /** Nothing secret is sent with API calls; the provider's endpoint is no API origin. @internal */
  protected providerOrigins(): ReadonlyArray<string | undefined> {
    return []
  }

  /** @internal */
  protected isToken(value: AppToken): value is OpenIdIdentity {
    return typeof value.claimed_id === 'string' && value.claimed_id !== ''
  }

  async #resolve(state: CallState<OpenIdIdentity>): Promise<OpenIdIdentity> {
    const identity = state.token ?? (await this.readToken(state.ctx))
    if (!identity) throw tokenMissing(this.name, this.readsTokens)
    state.token = identity
    return identity
  }
}
