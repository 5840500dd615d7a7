/**
 * Sealing login transactions: AES-256-GCM (encrypted and authenticated) under a key derived once per
 * password with HKDF-SHA-256 and cached, so sealing and unsealing are one WebCrypto call each. iron
 * (what the token store still uses) derives two keys with PBKDF2 from a fresh salt on every seal and
 * unseal: eight WebCrypto round trips through the thread pool on each login callback.
 *
 * A seal is `t1*<password id>*<iv>*<ciphertext>` (base64url); the plaintext holds the data and its
 * expiry, and the version and password id are authenticated with it. The 96-bit IV is random: keep
 * a secret under 2^32 logins (NIST SP 800-38D §8.3), and rotate it (`secret: { 1: old, 2: new }`) sooner.
 *
 * @module
 */

const VERSION = 't1'
const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** A password, or passwords by id for rotation: the highest numeric id seals, every id unseals. */
export type SealPasswords = string | Record<string, string>

/** Keys derived from each password, shared by every registry in the process (a password is its own cache key). */
const derived = new Map<string, Promise<CryptoKey>>()

function keyFor(password: string): Promise<CryptoKey> {
  let key = derived.get(password)
  if (!key) {
    key = crypto.subtle
      .importKey('raw', encoder.encode(password), 'HKDF', false, ['deriveKey'])
      .then((material) =>
        crypto.subtle.deriveKey(
          {
            name: 'HKDF',
            hash: 'SHA-256',
            salt: encoder.encode('oauthkit login transaction'),
            info: encoder.encode(VERSION),
          },
          material,
          { name: 'AES-GCM', length: 256 },
          false,
          ['encrypt', 'decrypt'],
        ),
      )
    key.catch(() => derived.delete(password))
    derived.set(password, key)
  }
  return key
}

function passwordMap(passwords: SealPasswords): Record<string, string> {
  return typeof passwords === 'string' ? { 1: passwords } : passwords
}

function toBase64url(bytes: Uint8Array): string {
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('not base64url')
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'))
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  // Canonical only: a last character that differs in its unused bits decodes to the same bytes, so
  // a changed seal would otherwise still open.
  if (toBase64url(bytes) !== text) throw new Error('not canonical base64url')
  return bytes
}

/** Seal `data` for `ttl` seconds with the newest password. */
export async function seal(data: unknown, passwords: SealPasswords, ttl: number): Promise<string> {
  const map = passwordMap(passwords)
  const id = Object.keys(map).sort((a, b) => Number(b) - Number(a) || (b > a ? 1 : -1))[0]!
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const plaintext = encoder.encode(JSON.stringify({ e: Date.now() + ttl * 1000, d: data }))
  const ciphertext = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: encoder.encode(`${VERSION}*${id}`) },
    await keyFor(map[id]!),
    plaintext,
  )
  return `${VERSION}*${id}*${toBase64url(iv)}*${toBase64url(new Uint8Array(ciphertext))}`
}

/** The data of a seal made with one of `passwords` and not expired; throws otherwise. */
export async function unseal(sealed: string, passwords: SealPasswords): Promise<unknown> {
  const parts = sealed.split('*')
  if (parts.length !== 4 || parts[0] !== VERSION) throw new Error('not a seal')
  const [, id, iv, ciphertext] = parts as [string, string, string, string]
  const password = Object.hasOwn(passwordMap(passwords), id)
    ? passwordMap(passwords)[id]
    : undefined
  if (password === undefined) throw new Error('sealed with an unknown password')
  const plaintext = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: fromBase64url(iv), additionalData: encoder.encode(`${VERSION}*${id}`) },
    await keyFor(password),
    fromBase64url(ciphertext),
  )
  const { e, d } = JSON.parse(decoder.decode(plaintext)) as { e?: unknown; d?: unknown }
  if (typeof e !== 'number' || Date.now() > e) throw new Error('expired')
  return d
}
