/**
 * The checks `register` runs on an OAuth 2.0 / OpenID Connect app's config: every mistake is a
 * `config_invalid` naming the field, before any request.
 *
 * @module
 */
import { checkUrl, configError, validateBaseConfig } from '../app/config.js'
import { hasOpenId, isMaxAge, scopeString } from './config.js'
import type { OAuth2AppConfig, TokenEndpointAuthMethod } from './config.js'

const URL_FIELDS = [
  'serverMetadataUrl',
  'issuer',
  'authorizeUrl',
  'accessTokenUrl',
  'userinfoEndpoint',
  'jwksUri',
  'revocationEndpoint',
  'introspectionEndpoint',
  'deviceAuthorizationEndpoint',
  'endSessionEndpoint',
  'apiBaseUrl',
] as const

const AUTH_METHODS: readonly TokenEndpointAuthMethod[] = [
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
  'private_key_jwt',
  'none',
]

/** `trustedAudiences`, `jwks` and the signing algorithms: well-formed, and no private key inline. */
function validateKeysConfig(name: string, config: OAuth2AppConfig): void {
  const trusted = config.trustedAudiences
  if (
    trusted !== undefined &&
    (!Array.isArray(trusted) || trusted.some((a) => typeof a !== 'string' || a === ''))
  )
    throw configError(name, 'trustedAudiences', 'must be an array of non-empty strings')
  const jwks = config.jwks
  if (jwks !== undefined) {
    if (typeof jwks !== 'object' || jwks === null || !Array.isArray(jwks.keys))
      throw configError(name, 'jwks', 'must be a JWK set: { keys: [...] }')
    // A JWK with private parts (RFC 7518 §6.2.2, §6.3.2, §6.4) is a signing key: it has no business in a verifier's config.
    if (jwks.keys.some((k) => typeof k !== 'object' || k === null || 'd' in k || 'k' in k))
      throw configError(
        name,
        'jwks',
        'must hold public keys only (a key has private or secret parts)',
      )
  }
  for (const field of ['idTokenSignedResponseAlg', 'userinfoSignedResponseAlg'] as const) {
    const alg = config[field]
    if (alg !== undefined && (typeof alg !== 'string' || alg === '' || alg === 'none'))
      throw configError(name, field, 'must be a JWS algorithm name other than "none"')
  }
}

/** Check an OAuth 2 app's config. Throws an {@link OAuthKitError} `config_invalid`. */
export function validateOAuth2Config(name: string, config: OAuth2AppConfig): void {
  validateBaseConfig(name, config)
  for (const field of URL_FIELDS) checkUrl(name, field, config[field], config.allowInsecureRequests)
  if (!config.serverMetadataUrl && !config.authorizeUrl) {
    throw configError(
      name,
      'authorizeUrl',
      'is missing: give serverMetadataUrl (discovery) or authorizeUrl and accessTokenUrl',
    )
  }
  if (!config.serverMetadataUrl && !config.accessTokenUrl) {
    throw configError(
      name,
      'accessTokenUrl',
      'is missing: give serverMetadataUrl (discovery) or accessTokenUrl',
    )
  }
  const scope = scopeString(config.scope)
  if (scope?.split(' ').includes('openid') && !config.serverMetadataUrl) {
    if (!config.issuer)
      throw configError(
        name,
        'issuer',
        'is required for an OpenID Connect app without serverMetadataUrl',
      )
    if (
      !config.jwksUri &&
      !config.serverMetadata?.jwks_uri &&
      !config.jwks &&
      !config.clientSecret
    ) {
      throw configError(
        name,
        'jwksUri',
        'is required to validate ID tokens without serverMetadataUrl',
      )
    }
  }
  validateKeysConfig(name, config)
  if (
    config.apiBaseUrlFromToken !== undefined &&
    (typeof config.apiBaseUrlFromToken !== 'string' || config.apiBaseUrlFromToken === '')
  )
    throw configError(name, 'apiBaseUrlFromToken', 'must be the name of a token response field')
  const method = config.tokenEndpointAuthMethod
  if (method !== undefined && !AUTH_METHODS.includes(method)) {
    throw configError(name, 'tokenEndpointAuthMethod', `must be one of ${AUTH_METHODS.join(', ')}`)
  }
  if (
    (method === 'client_secret_basic' ||
      method === 'client_secret_post' ||
      method === 'client_secret_jwt') &&
    !config.clientSecret
  ) {
    throw configError(name, 'clientSecret', `is required for ${method}`)
  }
  const encoding = config.clientSecretBasicEncoding
  if (encoding !== undefined && encoding !== 'form' && encoding !== 'raw')
    throw configError(name, 'clientSecretBasicEncoding', 'must be "form" or "raw"')
  // RFC 7617 §2: the user-id ends at the first colon, so a raw id cannot hold one.
  if (encoding === 'raw' && config.clientId.includes(':'))
    throw configError(
      name,
      'clientSecretBasicEncoding',
      '"raw" cannot send a client id containing ":"; use "form" or client_secret_post',
    )
  if (method === 'private_key_jwt' && !config.privateKey)
    throw configError(name, 'privateKey', 'is required for private_key_jwt')
  const audience = config.clientAssertionAudience
  if (audience !== undefined) {
    if (audience !== 'issuer' && audience !== 'token_endpoint')
      throw configError(name, 'clientAssertionAudience', 'must be "issuer" or "token_endpoint"')
    // The default method with a private key is private_key_jwt (client-auth.ts authMethodOf).
    const signs =
      method === undefined
        ? Boolean(config.privateKey)
        : method === 'private_key_jwt' || method === 'client_secret_jwt'
    if (!signs)
      throw configError(
        name,
        'clientAssertionAudience',
        'applies only to private_key_jwt and client_secret_jwt',
      )
  }
  if (
    config.responseMode !== undefined &&
    config.responseMode !== 'query' &&
    config.responseMode !== 'form_post'
  ) {
    throw configError(name, 'responseMode', 'must be "query" or "form_post"')
  }
  const responseType = config.authorizeParams?.response_type
  if (responseType !== undefined && responseType !== 'code') {
    throw configError(
      name,
      'authorizeParams.response_type',
      `"${responseType}" is refused: the implicit and hybrid grants leak tokens (RFC 9700 §2.1.2); use the authorization code grant with PKCE`,
    )
  }
  // A policy on the ID token (tenant, hosted domain, organization) fails open when a login has no ID token: require openid.
  if (
    config.idTokenIssuer !== undefined &&
    !hasOpenId(config.authorizeParams?.scope ?? config.scope)
  ) {
    throw configError(
      name,
      'scope',
      'must include openid: idTokenIssuer checks each ID token, so every login must be an OpenID Connect login',
    )
  }
  const maxAge = config.authorizeParams?.max_age
  if (maxAge !== undefined && !isMaxAge(maxAge)) {
    throw configError(
      name,
      'authorizeParams.max_age',
      'must be a plain non-negative integer of seconds (OIDC Core §3.1.2.1), or auth_time could not be checked against it',
    )
  }
  if (
    config.clockTolerance !== undefined &&
    !(config.clockTolerance >= 0 && config.clockTolerance <= 300)
  ) {
    throw configError(name, 'clockTolerance', 'must be between 0 and 300 seconds')
  }
  const par = config.pushedAuthorizationRequests
  if (par !== undefined && par !== true && par !== false && par !== 'required')
    throw configError(name, 'pushedAuthorizationRequests', "must be true, false or 'required'")
  if (config.dpop !== undefined && typeof config.dpop !== 'boolean')
    throw configError(name, 'dpop', 'must be true or false')
  for (const field of ['leeway', 'metadataTtl', 'transactionTtl'] as const) {
    const value = config[field]
    if (value !== undefined && !(Number.isFinite(value) && value >= 0))
      throw configError(name, field, 'must be a non-negative number of seconds')
  }
}
