/**
 * Client authentication at the token endpoint, mapped onto oauth4webapi's `ClientAuth` functions.
 *
 * @module
 * @internal
 */
import * as jose from 'jose'
import * as oauth from 'oauth4webapi'
import type { OAuth2AppConfig, TokenEndpointAuthMethod } from './config.js'
import { configError } from './config.js'

/** The method an app uses: the configured one, else by what credentials it has. @internal */
export function authMethodOf(config: OAuth2AppConfig): TokenEndpointAuthMethod {
  if (config.tokenEndpointAuthMethod) return config.tokenEndpointAuthMethod
  if (config.privateKey) return 'private_key_jwt'
  return config.clientSecret ? 'client_secret_basic' : 'none'
}

/** Build the oauth4webapi `ClientAuth` for an app (imports a PEM or JWK private key once). @internal */
export async function clientAuthOf(app: string, config: OAuth2AppConfig): Promise<oauth.ClientAuth> {
  const method = authMethodOf(config)
  switch (method) {
    case 'client_secret_basic':
      return withSecret(config, oauth.ClientSecretBasic)
    case 'client_secret_post':
      return withSecret(config, oauth.ClientSecretPost)
    case 'client_secret_jwt':
      return withSecret(config, oauth.ClientSecretJwt)
    case 'none':
      return oauth.None()
    case 'private_key_jwt': {
      const { key, kid } = await importPrivateKey(app, config)
      return oauth.PrivateKeyJwt(kid === undefined ? key : { key, kid })
    }
  }
}

/** A static secret is bound once; a secret function is asked again for every request. */
function withSecret(config: OAuth2AppConfig, method: (secret: string) => oauth.ClientAuth): oauth.ClientAuth {
  const secret = config.clientSecret!
  if (typeof secret === 'string') return method(secret)
  return async (as, client, body, headers) => method(await secret())(as, client, body, headers)
}

/** The client secret now (resolving a secret function). @internal */
export async function currentSecret(config: OAuth2AppConfig): Promise<string | undefined> {
  const secret = config.clientSecret
  return typeof secret === 'function' ? secret() : secret
}

async function importPrivateKey(app: string, config: OAuth2AppConfig): Promise<{ key: CryptoKey; kid?: string }> {
  const input = config.privateKey
  try {
    if (typeof input === 'string') {
      return { key: await jose.importPKCS8(input, config.privateKeyAlg ?? 'RS256', { extractable: false }), kid: config.privateKeyId }
    }
    if (input && typeof input === 'object' && 'kty' in input) {
      const jwk = input as jose.JWK
      const alg = jwk.alg ?? config.privateKeyAlg ?? (jwk.kty === 'EC' ? 'ES256' : jwk.kty === 'OKP' ? 'EdDSA' : 'RS256')
      const key = await jose.importJWK(jwk, alg)
      if (key instanceof Uint8Array) throw new TypeError('symmetric key')
      return { key, kid: config.privateKeyId ?? jwk.kid }
    }
    if (input) return { key: input as CryptoKey, kid: config.privateKeyId }
  } catch {
    throw configError(app, 'privateKey', 'could not be imported as a private signing key (PKCS#8 PEM, private JWK or CryptoKey)')
  }
  throw configError(app, 'privateKey', 'is required for private_key_jwt')
}
