/**
 * The hashes behind OAuth 1 signatures (RFC 5849 §3.4.2–3.4.3), on WebCrypto: HMAC-SHA1/SHA256 and
 * RSA-SHA1 with a PKCS#8 key.
 *
 * @module
 */
import { ErrorCode, OAuthKitError } from '../errors/error.js'

const encoder = new TextEncoder()

function configInvalid(message: string, cause?: unknown): OAuthKitError {
  return new OAuthKitError(ErrorCode.CONFIG_INVALID, message, { cause })
}

function toBase64(bytes: ArrayBuffer): string {
  let binary = ''
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte)
  return btoa(binary)
}

export async function hmac(hash: 'SHA-1' | 'SHA-256', key: string, data: string): Promise<string> {
  const cryptoKey = await globalThis.crypto.subtle.importKey(
    'raw',
    encoder.encode(key),
    { name: 'HMAC', hash },
    false,
    ['sign'],
  )
  return toBase64(await globalThis.crypto.subtle.sign('HMAC', cryptoKey, encoder.encode(data)))
}

/**
 * Imports a PKCS#8 PEM RSA private key (`-----BEGIN PRIVATE KEY-----`) for RSA-SHA1 signing.
 *
 * Import it once and pass the CryptoKey as {@link OAuth1Credentials.rsaKey} to skip the import on each request.
 *
 * @throws An {@link OAuthKitError} `config_invalid` when the PEM is not an unencrypted PKCS#8 RSA private key.
 * @see {@link https://www.rfc-editor.org/rfc/rfc5849#section-3.4.3 | RFC 5849 §3.4.3}
 */
export async function importRsaSha1Key(pem: string): Promise<CryptoKey> {
  const match = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(pem)
  if (match?.[1] === 'RSA PRIVATE KEY') {
    throw configInvalid(
      'rsaKey is a PKCS#1 key: convert it to PKCS#8 (openssl pkcs8 -topk8 -nocrypt)',
    )
  }
  if (match?.[1] !== 'PRIVATE KEY') {
    throw configInvalid('rsaKey must be an unencrypted PKCS#8 PEM private key (BEGIN PRIVATE KEY)')
  }
  try {
    const der = Uint8Array.from(atob((match[2] ?? '').replace(/\s+/g, '')), (char) =>
      char.charCodeAt(0),
    )
    const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-1' }
    return await globalThis.crypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign'])
  } catch (cause) {
    throw configInvalid('rsaKey could not be imported as a PKCS#8 RSA private key', cause)
  }
}

export async function rsaSha1(rsaKey: string | CryptoKey, data: string): Promise<string> {
  const key = typeof rsaKey === 'string' ? await importRsaSha1Key(rsaKey) : rsaKey
  const algorithm = (key as Partial<CryptoKey> | null)?.algorithm as
    Partial<RsaHashedKeyAlgorithm> | undefined
  // WebCrypto signs with the hash bound to the key, so a SHA-256 key would silently give a wrong signature.
  const usable =
    key?.type === 'private' &&
    algorithm?.name === 'RSASSA-PKCS1-v1_5' &&
    algorithm.hash?.name === 'SHA-1' &&
    Array.isArray(key.usages) &&
    key.usages.includes('sign')
  if (!usable)
    throw configInvalid(
      'rsaKey must be an RSASSA-PKCS1-v1_5 private key with hash SHA-1 and the sign usage',
    )
  return toBase64(
    await globalThis.crypto.subtle.sign('RSASSA-PKCS1-v1_5', key, encoder.encode(data)),
  )
}

const NONCE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const NONCE_LENGTH = 30

/** A fresh `oauth_nonce`: 30 letters and digits from WebCrypto. */
export function generateNonce(): string {
  // 30 characters of [A-Za-z0-9] from the CSPRNG (178 bits): unchanged by percent-encoding, and within the
  // 20 to 30 letters and digits that oauthlib-based providers accept by default (RFC 5849 §3.3 sets no length).
  let nonce = ''
  while (nonce.length < NONCE_LENGTH) {
    for (const byte of globalThis.crypto.getRandomValues(new Uint8Array(NONCE_LENGTH + 8))) {
      // 248 = 4 × 62: bytes above it are skipped so every character is equally likely.
      if (byte < 248 && nonce.length < NONCE_LENGTH) nonce += NONCE_ALPHABET[byte % 62]
    }
  }
  return nonce
}
