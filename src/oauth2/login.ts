/**
 * The OAuth 2 login: the authorization request (RFC 6749 §4.1.1 with PKCE S256, OIDC nonce) and, on
 * the callback, the response checks (state, RFC 9207 `iss`, one code) and the code exchange with the
 * ID token validation.
 *
 * @module
 */
import * as oauth from 'oauth4webapi'
import type {
  AuthorizeAccessTokenOptions,
  AuthorizeOptions,
  AuthorizationRequest,
} from '../app/base.js'
import { sameOriginPath, single } from '../app/callback.js'
import { AUTHORIZE_OPTION_KEYS, asAuthorizeParam, checkKnownKeys } from '../config-keys.js'
import { ErrorCode, OAuthKitError } from '../errors/error.js'
import { authorizationResponseError, implicitRefused, toOAuthKitError } from '../errors/upstream.js'
import type { Transaction } from '../session/transaction.js'
import type { UrlHook, IdTokenClaims, OAuth2Token } from '../types.js'
import { staticSecret } from './client-auth.js'
import { hasOpenId, isMaxAge, scopeString } from './config.js'
import type { OAuth2Endpoints } from './endpoints.js'
import { checkBound, newDPoPKey, withNonceRetry } from './dpop.js'
import { DEFAULT_CLOCK_TOLERANCE } from './id-token.js'
import { UNKNOWN_ISSUER } from './metadata.js'
import { pushedAuthorizationUrl, usesPar } from './par.js'
import { toToken } from './token.js'

/** Parameters that carry the login's security and cannot be overridden per call. */
const RESERVED = new Set([
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'client_id',
  'redirect_uri',
  'response_type',
])

/** Build an authorization request without storing anything: its URL, and the transaction the callback will need. */
export async function authorizationUrl(
  app: OAuth2Endpoints,
  redirectUri: string,
  options: AuthorizeOptions,
): Promise<AuthorizationRequest> {
  const { name, config } = app
  checkKnownKeys(
    name,
    'authorizeRedirect options',
    options,
    AUTHORIZE_OPTION_KEYS,
    asAuthorizeParam,
  )
  if (!URL.canParse(redirectUri)) {
    throw new OAuthKitError(
      ErrorCode.INVALID_REQUEST,
      `${name}: redirectUri is not an absolute URL`,
      { app: name },
    )
  }
  const params = { ...config.authorizeParams, ...options.params }
  for (const key of Object.keys(options.params ?? {})) {
    if (key === 'response_type' && options.params?.[key] !== 'code') throw implicitRefused(name)
    if (RESERVED.has(key)) {
      throw new OAuthKitError(
        ErrorCode.INVALID_REQUEST,
        `${name}: the "${key}" parameter is set by oauthkit and cannot be overridden`,
        { app: name },
      )
    }
  }
  // An app that checks ID tokens (idTokenIssuer: tenant, hosted domain, organization) cannot let a login go without one.
  if (config.idTokenIssuer && !hasOpenId(params.scope ?? config.scope)) {
    throw new OAuthKitError(
      ErrorCode.INVALID_REQUEST,
      `${name}: the scope must include openid: this app checks each ID token (idTokenIssuer)`,
      { app: name },
    )
  }
  // OIDC Core §3.1.2.1, §3.1.3.7: auth_time is checked against max_age at the callback, so it must be a number read as the provider reads it.
  if (params.max_age !== undefined && !isMaxAge(String(params.max_age))) {
    throw new OAuthKitError(
      ErrorCode.INVALID_REQUEST,
      `${name}: max_age must be a plain non-negative integer of seconds`,
      { app: name },
    )
  }
  const as = await app.metadata()
  if (!as.authorization_endpoint) {
    throw new OAuthKitError(
      ErrorCode.METADATA_INVALID,
      `${name}: the provider has no authorization_endpoint`,
      { app: name },
    )
  }
  const url = new URL(as.authorization_endpoint)
  const state = oauth.generateRandomState()
  const tx: Transaction = { app: name, key: state, redirectUri, createdAt: Date.now() }
  if (as.issuer !== UNKNOWN_ISSUER) tx.issuer = as.issuer
  const scope = scopeString(params.scope ?? config.scope)
  const query: Record<string, string> = {
    ...params,
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: redirectUri,
    state,
  }
  if (scope) query.scope = scope
  else delete query.scope
  if (config.pkce !== false) {
    tx.codeVerifier = oauth.generateRandomCodeVerifier()
    query.code_challenge = await oauth.calculatePKCECodeChallenge(tx.codeVerifier)
    query.code_challenge_method = 'S256'
  }
  if (scope?.split(' ').includes('openid')) {
    tx.oidc = true
    if (config.nonce !== false) {
      tx.nonce = oauth.generateRandomNonce()
      query.nonce = tx.nonce
    }
  }
  if (config.responseMode === 'form_post') query.response_mode = 'form_post'
  if (query.max_age !== undefined) tx.maxAge = Number(query.max_age)
  const returnTo = sameOriginPath(options.returnTo)
  if (returnTo) tx.returnTo = returnTo
  if (usesPar(app, as))
    return { url: await pushedAuthorizationUrl(app, as, query), transaction: tx }
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value)
  return { url: await hookedUrl(config.hooks?.authorizationUrl, url), transaction: tx }
}

/** The authorization URL after the app's `authorizationUrl` hooks, each given what the previous returned. */
async function hookedUrl(hooks: UrlHook | readonly UrlHook[] | undefined, url: URL): Promise<URL> {
  for (const hook of [hooks ?? []].flat() as UrlHook[]) url = (await hook(url)) ?? url
  return url
}

/**
 * The callback: take the transaction its `state` names (one-time, whatever happens next), check the
 * response against it (RFC 9207 `iss`, exactly one code) and exchange the code. Returns the token and
 * the transaction; the caller persists the token.
 */
export async function finishLogin(
  app: OAuth2Endpoints,
  params: URLSearchParams,
  take: (key: string) => Promise<Transaction>,
  options: AuthorizeAccessTokenOptions,
): Promise<{ token: OAuth2Token; transaction: Transaction }> {
  const { name } = app
  for (const hook of [app.config.hooks?.authorizationResponse ?? []].flat()) {
    const copy = new URLSearchParams(params)
    params = hook(copy) ?? copy
  }
  const states = params.getAll('state')
  // RFC 6749 §3.1: a repeated state is refused below; first consume every transaction it names, so none can be retried.
  if (states.length > 1) for (const s of new Set(states)) await take(s).catch(() => undefined)
  const state = single(params, 'state', name)
  if (state === undefined) {
    throw new OAuthKitError(
      ErrorCode.STATE_MISSING,
      `${name}: the callback has no state parameter`,
      { app: name },
    )
  }
  const tx = await take(state)
  const as = await app.metadata()
  const expected: oauth.AuthorizationServer = { ...as, issuer: tx.issuer ?? UNKNOWN_ISSUER }
  if (tx.issuer === undefined) params.delete('iss') // No known issuer: RFC 9207 cannot apply; the transaction's app binding still stops mix-ups.
  let validated: URLSearchParams
  try {
    validated = oauth.validateAuthResponse(expected, app.client, params, tx.key)
  } catch (error) {
    throw authorizationResponseError(error, name)
  }
  // RFC 6749 §4.1.2, §3.1: exactly one code; a repeated or missing one is a malformed callback, not a token endpoint fault.
  if (single(validated, 'code', name) === undefined) {
    throw new OAuthKitError(
      ErrorCode.INVALID_AUTHORIZATION_RESPONSE,
      `${name}: the callback has no code parameter`,
      { app: name },
    )
  }
  return { token: await exchange(app, as, expected, tx, validated, options), transaction: tx }
}

/** Exchange the code of `params` with the transaction's redirect URI, verifier and nonce, and validate the ID token. */
export async function exchange(
  app: OAuth2Endpoints,
  as: oauth.AuthorizationServer,
  expected: oauth.AuthorizationServer,
  tx: Transaction,
  params: URLSearchParams,
  options: AuthorizeAccessTokenOptions,
): Promise<OAuth2Token> {
  const { name, config } = app
  const secrets = [params.get('code') ?? undefined, tx.codeVerifier, staticSecret(config)]
  const clientAuth = await app.clientAuth()
  // RFC 9449: a new key pair for this session; the token endpoint binds the token to it.
  const key = config.dpop === true ? await newDPoPKey() : undefined
  const DPoP = key && oauth.DPoP(app.client, key.pair)
  let response: Response
  try {
    const send = () =>
      oauth.authorizationCodeGrantRequest(
        as,
        app.client,
        clientAuth,
        params,
        tx.redirectUri,
        tx.codeVerifier ?? oauth.nopkce,
        {
          ...app.options('token'),
          additionalParameters: { ...config.accessTokenParams, ...options.params },
          ...(DPoP && { DPoP }),
        },
      )
    response = DPoP ? await withNonceRetry(send) : await send()
  } catch (error) {
    throw toOAuthKitError(error, name, 'token', secrets)
  }
  const idTokenIssuer = await app.idTokens.issuerFor(response, expected.issuer)
  const asForToken = { ...expected, issuer: idTokenIssuer }
  let result: oauth.TokenEndpointResponse
  try {
    result = await oauth.processAuthorizationCodeResponse(asForToken, app.client, response, {
      expectedNonce: tx.nonce,
      requireIdToken:
        tx.oidc === true || tx.nonce !== undefined || config.idTokenIssuer !== undefined,
      maxAge: tx.maxAge,
    })
  } catch (error) {
    throw toOAuthKitError(error, name, 'token', secrets)
  }
  if (key) checkBound(name, result.token_type)
  const claims = oauth.getValidatedIdTokenClaims(result) as IdTokenClaims | undefined
  // OIDC Core §3.1.3.7 (10): an ID token issued before this login started (its nonce did not exist yet) is refused.
  if (
    claims &&
    claims.iat < tx.createdAt / 1000 - (config.clockTolerance ?? DEFAULT_CLOCK_TOLERANCE)
  ) {
    throw new OAuthKitError(
      ErrorCode.ID_TOKEN_INVALID,
      `${name}: the ID token was issued before this login started (iat too far in the past; if the clocks differ, fix them or raise clockTolerance)`,
      { app: name },
    )
  }
  if (result.id_token) await app.idTokens.verify(asForToken, result.id_token)
  const token = toToken(result, claims)
  if (key) token.dpop_jwk = key.jwk
  return token
}
