/**
 * Client authentication at the token endpoint, mapped onto oauth4webapi's `ClientAuth` functions.
 *
 * @module
 */
import * as jose from 'jose'
import * as oauth from 'oauth4webapi'
import type {
  ClientSecretBasicEncoding,
  OAuth2AppConfig,
  TokenEndpointAuthMethod,
} from './config.js'
import { configError } from '../app/config.js'

/** The method an app uses: the configured one, else by what credentials it has. */
export function authMethodOf(config: OAuth2AppConfig): TokenEndpointAuthMethod {
  if (config.tokenEndpointAuthMethod) return config.tokenEndpointAuthMethod
  if (config.privateKey) return 'private_key_jwt'
  return config.clientSecret ? 'client_secret_basic' : 'none'
}

/** Build the oauth4webapi `ClientAuth` for an app (imports a PEM or JWK private key once). */
export async function clientAuthOf(
  app: string,
  config: OAuth2AppConfig,
): Promise<oauth.ClientAuth> {
  const method = authMethodOf(config)
  switch (method) {
    case 'client_secret_basic': {
      const encoding = config.clientSecretBasicEncoding ?? 'form'
      return withSecret(config, (secret) => (_as, client, _body, headers) => {
        headers.set('authorization', basicAuthorization(app, client.client_id, secret, encoding))
      })
    }
    case 'client_secret_post':
      return withSecret(config, oauth.ClientSecretPost)
    case 'client_secret_jwt':
      return withSecret(config, (secret) =>
        withAudience(app, config, (options) => oauth.ClientSecretJwt(secret, options)),
      )
    case 'none':
      return oauth.None()
    case 'private_key_jwt': {
      const { key, kid } = await importPrivateKey(app, config)
      return withAudience(app, config, (options) =>
        oauth.PrivateKeyJwt(kid === undefined ? key : { key, kid }, options),
      )
    }
  }
}

/**
 * oauth4webapi puts the issuer in a client assertion's `aud`; `clientAssertionAudience:
 * 'token_endpoint'` puts the token endpoint URL there instead (RFC 7523 §3 allows either).
 */
function withAudience(
  app: string,
  config: OAuth2AppConfig,
  method: (options?: oauth.ModifyAssertionOptions) => oauth.ClientAuth,
): oauth.ClientAuth {
  if (config.clientAssertionAudience !== 'token_endpoint') return method()
  return async (as, client, body, headers) => {
    const audience = as.token_endpoint
    if (audience === undefined)
      throw configError(
        app,
        'accessTokenUrl',
        'is required for clientAssertionAudience "token_endpoint"',
      )
    const options: oauth.ModifyAssertionOptions = {
      [oauth.modifyAssertion]: (_header, payload) => {
        payload.aud = audience
      },
    }
    return method(options)(as, client, body, headers)
  }
}

/** A static secret is bound once; a secret function is asked again for every request. */
function withSecret(
  config: OAuth2AppConfig,
  method: (secret: string) => oauth.ClientAuth,
): oauth.ClientAuth {
  const secret = config.clientSecret!
  if (typeof secret === 'string') return method(secret)
  return async (as, client, body, headers) => method(await secret())(as, client, body, headers)
}

/**
 * The `Authorization: Basic` value for `client_secret_basic`. `form` encodes id and secret as RFC 6749
 * §2.3.1 asks, leaving alone what `application/x-www-form-urlencoded` leaves alone (and `~`), so a
 * server that decodes and one that does not both read `my-app`; `raw` sends the UTF-8 bytes as they are.
 */
export function basicAuthorization(
  app: string,
  clientId: string,
  secret: string,
  encoding: ClientSecretBasicEncoding,
): string {
  const credentials =
    encoding === 'raw'
      ? `${clientId}:${secret}`
      : `${formEncode(app, 'clientId', clientId)}:${formEncode(app, 'clientSecret', secret)}`
  let binary = ''
  for (const byte of new TextEncoder().encode(credentials)) binary += String.fromCharCode(byte)
  return `Basic ${btoa(binary)}`
}

/**
 * `application/x-www-form-urlencoded` escaping of one value (RFC 6749 Appendix B): UTF-8, then
 * `A–Z a–z 0–9 - . _ * ~` as they are and every other byte as `%XX`. A space is `%20`, not `+`: a form
 * decoder reads both as a space, but a server that only percent-decodes would keep a `+`.
 */
function formEncode(app: string, field: string, value: string): string {
  let encoded: string
  try {
    encoded = encodeURIComponent(value)
  } catch {
    // A lone UTF-16 surrogate has no UTF-8 form; the value itself stays out of the message.
    throw configError(
      app,
      field,
      'is not well-formed Unicode text and cannot be sent with client_secret_basic',
    )
  }
  // encodeURIComponent also leaves ! ' ( ) alone; the form encoding escapes them.
  return encoded.replace(/[!'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

/** The configured secret when it is a plain string (to redact it from provider text), else undefined. */
export function staticSecret(config: Pick<OAuth2AppConfig, 'clientSecret'>): string | undefined {
  return typeof config.clientSecret === 'string' ? config.clientSecret : undefined
}

/** The client secret now (resolving a secret function). */
export async function currentSecret(config: OAuth2AppConfig): Promise<string | undefined> {
  const secret = config.clientSecret
  return typeof secret === 'function' ? secret() : secret
}

async function importPrivateKey(
  app: string,
  config: OAuth2AppConfig,
): Promise<{ key: CryptoKey; kid?: string }> {
  const input = config.privateKey
  try {
    if (typeof input === 'string') {
      return {
        key: await jose.importPKCS8(input, config.privateKeyAlg ?? 'RS256', { extractable: false }),
        kid: config.privateKeyId,
      }
    }
    if (input && typeof input === 'object' && 'kty' in input) {
      const jwk = input as jose.JWK
      const alg =
        jwk.alg ??
        config.privateKeyAlg ??
        (jwk.kty === 'EC' ? 'ES256' : jwk.kty === 'OKP' ? 'EdDSA' : 'RS256')
      const key = await jose.importJWK(jwk, alg)
      if (key instanceof Uint8Array) throw new TypeError('symmetric key')
      return { key, kid: config.privateKeyId ?? jwk.kid }
    }
    if (input) return { key: input as CryptoKey, kid: config.privateKeyId }
  } catch {
    throw configError(
      app,
      'privateKey',
      'could not be imported as a private signing key (PKCS#8 PEM, private JWK or CryptoKey)',
    )
  }
  throw configError(app, 'privateKey', 'is required for private_key_jwt')
}
