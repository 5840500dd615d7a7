/**
 * Unknown configuration keys, refused with the fix in the message: a misspelt key is a
 * "did you mean", and Authlib's snake_case names (`authorize_url`, `client_kwargs`, `scopes`, …) are
 * named in oauthkit's words. TypeScript cannot see these mistakes through `register`'s generic config,
 * so every entry point that takes an options object checks its keys at runtime too.
 *
 * @module
 */
import type { BaseAppConfig } from './app/config.js'
import type { OAuth2AppConfig } from './oauth2/config.js'
import { ErrorCode, OAuthKitError } from './errors/error.js'
import type {
  BearerGuardOptions,
  IssueTokenOptions,
  TokenBrokerOptions,
  TrustedIssuer,
} from './guard/types.js'
import type { OAuth1AppConfig } from './oauth1/config.js'
import type { OpenIdAppConfig } from './openid2/config.js'

/** True when `List` names every key of `T`; else the missing keys, as a type error where it is used. */
export type Exhaustive<T, List extends readonly PropertyKey[]> = [
  Exclude<keyof T, List[number]>,
] extends [never]
  ? true
  : { missing: Exclude<keyof T, List[number]> }

const BASE_KEYS = [
  'clientId',
  'clientSecret',
  'apiBaseUrl',
  'overwrite',
  'fetch',
  'timeout',
  'maxResponseSize',
  'apiMaxResponseSize',
  'trustedOrigins',
  'allowInsecureRequests',
  'userAgent',
  'fetchToken',
  'updateToken',
] as const satisfies ReadonlyArray<keyof BaseAppConfig>

const OAUTH2_LIST = [
  ...BASE_KEYS,
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
  'serverMetadata',
  'scope',
  'authorizeParams',
  'accessTokenParams',
  'tokenEndpointAuthMethod',
  'clientSecretBasicEncoding',
  'clientAssertionAudience',
  'privateKey',
  'privateKeyId',
  'privateKeyAlg',
  'pkce',
  'nonce',
  'responseMode',
  'idTokenSignedResponseAlg',
  'trustedAudiences',
  'jwks',
  'userinfoSignedResponseAlg',
  'clockTolerance',
  'leeway',
  'metadataTtl',
  'transactionTtl',
  'idTokenIssuer',
  'grantType',
  'tokenPlacement',
  'apiBaseUrlFromToken',
  'hooks',
  'profile',
  'requestTokenUrl',
  'openIdEndpoint',
  'pushedAuthorizationRequests',
  'dpop',
] as const satisfies ReadonlyArray<keyof OAuth2AppConfig>

const OAUTH1_LIST = [
  ...BASE_KEYS,
  'requestTokenUrl',
  'accessTokenUrl',
  'authorizeUrl',
  'signatureMethod',
  'signaturePlacement',
  'realm',
  'rsaKey',
  'openIdEndpoint',
  'requestTokenParams',
  'authorizeParams',
  'transactionTtl',
  'hooks',
  'profile',
] as const satisfies ReadonlyArray<keyof OAuth1AppConfig>

const OPENID2_LIST = [
  ...BASE_KEYS.filter(
    (key): key is Exclude<(typeof BASE_KEYS)[number], 'clientId' | 'clientSecret'> =>
      key !== 'clientId' && key !== 'clientSecret',
  ),
  'openIdEndpoint',
  'realm',
  'identifier',
  'claimedIdPrefix',
  'ax',
  'axRequired',
  'sreg',
  'sregRequired',
  'nonceMaxAge',
  'transactionTtl',
  'hooks',
  'profile',
  'requestTokenUrl',
] as const satisfies ReadonlyArray<keyof OpenIdAppConfig>

/** Every key an OpenID 2.0 app's config may have. */
export const OPENID2_CONFIG_KEYS: readonly string[] = OPENID2_LIST
/** Every key an OAuth 2 app's config may have. */
export const OAUTH2_CONFIG_KEYS: readonly string[] = OAUTH2_LIST
/** Every key an OAuth 1 app's config may have. */
export const OAUTH1_CONFIG_KEYS: readonly string[] = OAUTH1_LIST
/** The per-call options of `authorizeRedirect` and `createAuthorizationUrl`. */
export const AUTHORIZE_OPTION_KEYS: readonly string[] = [
  'params',
  'returnTo',
] as const satisfies ReadonlyArray<keyof import('./app/base.js').AuthorizeOptions>

const GUARD_LIST = [
  'audience',
  'issuers',
  'scopes',
  'algorithms',
  'clockTolerance',
  'realm',
  'introspectionCacheSeconds',
  'jwksCacheSeconds',
  'fetch',
  'timeout',
  'allowInsecureRequests',
] as const satisfies ReadonlyArray<keyof BearerGuardOptions>
const ISSUER_LIST = [
  'issuer',
  'jwksUri',
  'introspection',
  'algorithms',
] as const satisfies ReadonlyArray<keyof TrustedIssuer>
const BROKER_LIST = ['issuer', 'audience', 'keys', 'ttlSeconds'] as const satisfies ReadonlyArray<
  keyof TokenBrokerOptions
>
const ISSUE_LIST = [
  'sub',
  'scope',
  'audience',
  'clientId',
  'ttlSeconds',
  'claims',
] as const satisfies ReadonlyArray<keyof IssueTokenOptions>
/** The options of a bearer guard (`new BearerGuard()`, each integration's `requireAuth`). */
export const BEARER_GUARD_KEYS: readonly string[] = GUARD_LIST
/** The members of a trusted issuer in a bearer guard's `issuers`. */
export const TRUSTED_ISSUER_KEYS: readonly string[] = ISSUER_LIST
/** The options of `new TokenBroker()`. */
export const BROKER_OPTION_KEYS: readonly string[] = BROKER_LIST
/** The options of `TokenBroker.issue`. */
export const ISSUE_TOKEN_KEYS: readonly string[] = ISSUE_LIST

// A key added to a config type must be added to its list: these fail to compile otherwise.
const _oauth2Keys: Exhaustive<OAuth2AppConfig, typeof OAUTH2_LIST> = true
const _oauth1Keys: Exhaustive<OAuth1AppConfig, typeof OAUTH1_LIST> = true
const _openid2Keys: Exhaustive<OpenIdAppConfig, typeof OPENID2_LIST> = true
const _guardKeys: Exhaustive<BearerGuardOptions, typeof GUARD_LIST> = true
const _issuerKeys: Exhaustive<TrustedIssuer, typeof ISSUER_LIST> = true
const _brokerKeys: Exhaustive<TokenBrokerOptions, typeof BROKER_LIST> = true
const _issueKeys: Exhaustive<IssueTokenOptions, typeof ISSUE_LIST> = true

/** Authlib `client_kwargs` members and where each lives in oauthkit. */
const CLIENT_KWARGS: Readonly<Record<string, string>> = {
  scope: 'scope',
  code_challenge_method: 'pkce (always S256; pkce: false turns it off)',
  token_endpoint_auth_method: 'tokenEndpointAuthMethod',
  token_placement: 'tokenPlacement',
  leeway: 'leeway',
  signature_method: 'signatureMethod',
  signature_type: 'signaturePlacement',
  realm: 'realm',
  rsa_key: 'rsaKey',
  timeout: 'timeout',
}

/** Authlib (and common) names whose oauthkit name is not just their camelCase form. */
const RENAMED: Readonly<Record<string, string>> = {
  scopes: 'scope',
  compliance_fix: 'hooks',
  client_auth_methods: 'tokenEndpointAuthMethod',
  code_challenge_method: 'pkce',
  signature_type: 'signaturePlacement',
  api_base_url: 'apiBaseUrl',
  server_metadata_url: 'serverMetadataUrl',
  request_token_params: 'requestTokenParams',
  userinfo_endpoint: 'userinfoEndpoint',
  redirect_uri: 'the redirectUri argument of authorizeRedirect',
  redirectUri: 'the redirectUri argument of authorizeRedirect',
  callbackUrl: 'the redirectUri argument of authorizeRedirect',
  scopeSeparator: 'scope (as an array)',
}

/** snake_case → camelCase (`authorize_url` → `authorizeUrl`). */
function camel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
}

/** Levenshtein distance, stopping early past `max`. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    let best = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost)
      current.push(value)
      best = Math.min(best, value)
    }
    if (best > max) return max + 1
    previous = current
  }
  return previous[b.length]!
}

/**
 * What the user most likely meant by `key`, in words for an error message, or undefined.
 */
export function suggestKey(
  key: string,
  known: readonly string[],
  value?: unknown,
): string | undefined {
  if (key === 'client_kwargs') {
    const members = typeof value === 'object' && value !== null ? Object.keys(value) : []
    const mapped = members.map((m) => CLIENT_KWARGS[m] ?? camel(m))
    const list =
      mapped.length > 0
        ? mapped.join(', ')
        : Object.values(CLIENT_KWARGS).slice(0, 4).join(', ') + ', …'
    return `put these at the top level of the config: ${list}`
  }
  const renamed = RENAMED[key]
  if (renamed !== undefined && (known.includes(renamed) || !/^[a-zA-Z]+$/.test(renamed)))
    return `did you mean ${renamed}?`
  const camelKey = camel(key)
  if (camelKey !== key && known.includes(camelKey))
    return `did you mean ${camelKey}? (oauthkit's names are camelCase)`
  const lower = key.toLowerCase()
  const caseOnly = known.find((k) => k.toLowerCase() === lower)
  if (caseOnly) return `did you mean ${caseOnly}?`
  const max = key.length <= 4 ? 1 : key.length <= 8 ? 2 : 3
  let best: { key: string; d: number } | undefined
  for (const candidate of known) {
    const d = distance(lower, candidate.toLowerCase(), max)
    if (d <= max && (!best || d < best.d)) best = { key: candidate, d }
  }
  if (best) return `did you mean ${best.key}?`
  const stripped = known.find((k) => lower.includes(k.toLowerCase()) && k.length >= 5)
  return stripped ? `did you mean ${stripped}?` : undefined
}

/**
 * Refuse any key of `options` that is not in `known`, with a `config_invalid` error naming the key,
 * where it was found and the likely fix.
 *
 * @param app - the app's name (or `''` for registry-wide options).
 * @param where - the options' name in the message: `config`, `new OAuth()`, `authorizeRedirect options`.
 * @param otherwise - the hint when no known key is close.
 */
export function checkKnownKeys(
  app: string,
  where: string,
  options: object,
  known: readonly string[],
  otherwise?: (key: string) => string,
): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue
    const value = (options as Record<string, unknown>)[key]
    const hint = suggestKey(key, known, value) ?? otherwise?.(key)
    const prefix = app ? `app "${app}": ` : ''
    throw new OAuthKitError(
      ErrorCode.CONFIG_INVALID,
      `${prefix}${where} has an unknown key "${key}"${hint ? `: ${hint}` : ''}`,
      app ? { app } : {},
    )
  }
}

/**
 * The keys of config `C` that its kind of app does not know, mapped to `never`, so that an unknown key
 * in a `register` call is a type error (`register` is generic, which turns off excess-property checks).
 * @group Config
 */
export type UnknownKeysOf<C> = {
  [
    K in Exclude<
      keyof C,
      keyof Extract<
        OAuth1AppConfig | OpenIdAppConfig | OAuth2AppConfig,
        C extends { requestTokenUrl: string }
          ? { requestTokenUrl: string }
          : C extends { openIdEndpoint: string }
            ? { openIdEndpoint: string }
            : { openIdEndpoint?: undefined; requestTokenUrl?: undefined }
      >
    >
  ]: never
}

/** The hint for an unknown `authorizeRedirect` option: it is most likely an authorization parameter. */
export function asAuthorizeParam(key: string): string {
  return `authorization request parameters go in params: { params: { ${key}: … } }`
}
