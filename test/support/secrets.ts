/**
 * The credentials in play in a test run — test constants, client secrets, and every token, code,
 * verifier, refresh token, OAuth 1 secret and signature the test providers issue or receive — and
 * `expectNoCredentials`, which fails when any of them is reachable from a thrown value.
 *
 * The test providers register what they issue (fake-idp.ts, hostile-idp.ts, oauth1-provider.ts,
 * oidc-provider.ts); the shared failure helpers (`expectCode`, `expectRefused`) check every error.
 */
import { inspect } from 'node:util'
import { expect } from 'vitest'

const credentials = new Set<string>()

/** Shorter values (`'s'`, `'pw'`) would match by chance in any text. */
const MIN_LENGTH = 8

/** Add credentials to the registry; non-strings and short values are ignored. */
export function registerCredential(...values: unknown[]): void {
  for (const value of values)
    if (typeof value === 'string' && value.length >= MIN_LENGTH) credentials.add(value)
}

/** Register the credential-bearing members of a form, query or JSON body the test provider saw or sent. */
export function registerCredentialFields(
  fields: URLSearchParams | Record<string, unknown> | undefined | null,
): void {
  if (!fields) return
  const get = (name: string): unknown =>
    fields instanceof URLSearchParams ? fields.get(name) : fields[name]
  for (const name of CREDENTIAL_FIELDS) registerCredential(get(name))
}

/** Wire names of the parameters that carry a credential (OAuth 2 and OAuth 1). */
const CREDENTIAL_FIELDS = [
  'access_token',
  'refresh_token',
  'id_token',
  'code',
  'code_verifier',
  'client_secret',
  'client_assertion',
  'device_code',
  'subject_token',
  'actor_token',
  'oauth_token',
  'oauth_token_secret',
  'oauth_verifier',
  'oauth_signature',
] as const

/** Register the credential in an `Authorization` header (Bearer token, OAuth 1 signature and token). */
export function registerAuthorization(header: string | null | undefined): void {
  if (!header) return
  const bearer = /^(?:bearer|dpop)\s+(\S+)/i.exec(header)
  if (bearer) registerCredential(bearer[1])
  for (const [, name, value] of header.matchAll(/(oauth_\w+)="([^"]*)"/g)) {
    if (CREDENTIAL_FIELDS.includes(name as (typeof CREDENTIAL_FIELDS)[number]))
      registerCredential(decode(value!))
  }
}

/** The credentials registered so far. */
export function credentialsInPlay(): ReadonlySet<string> {
  return credentials
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '))
  } catch {
    return value
  }
}

/** How a credential may appear in text: as is, and percent-encoded once or twice (query, form, OAuth 1 header). */
function forms(secret: string): string[] {
  const once = encodeURIComponent(secret)
  const rfc3986 = once.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return [
    ...new Set([
      secret,
      once,
      rfc3986,
      encodeURIComponent(rfc3986),
      new URLSearchParams({ x: secret }).toString().slice(2),
    ]),
  ]
}

function leaksIn(text: string): string[] {
  const found: string[] = []
  for (const secret of credentials)
    if (forms(secret).some((form) => text.includes(form))) found.push(secret)
  return found
}

/** Internals never worth walking: a Request's dispatcher (the connection pool) and abort signals. */
const SKIPPED = new Set(['dispatcher', 'signal', 'realm'])

/**
 * Every credential reachable from `value`, with where: its own properties (symbols and non-enumerable
 * ones too), `cause`, `request`, `response` (its `url`, headers, internals), `options`, and its
 * `util.inspect` text.
 */
export function findCredentials(value: unknown): string[] {
  const found: string[] = []
  const seen = new Set<unknown>()
  const check = (text: string, where: string) => {
    for (const secret of leaksIn(text)) found.push(`${where}: ${secret.slice(0, 6)}…`)
  }
  const walk = (node: unknown, where: string, depth: number): void => {
    if (typeof node === 'string') return check(node, where)
    if (typeof node !== 'object' || node === null || seen.has(node) || depth > 12) return
    seen.add(node)
    if (node instanceof URL) return check(node.href, where)
    if (node instanceof URLSearchParams) return check(node.toString(), where)
    if (node instanceof Request || node instanceof Response) check(node.url, `${where}.url`)
    if (node instanceof Headers) {
      for (const [name, text] of node) check(text, `${where}.get('${name}')`)
      return
    }
    if (node instanceof Map) {
      for (const [k, v] of node) {
        walk(k, `${where}<key>`, depth + 1)
        walk(v, `${where}<value>`, depth + 1)
      }
    }
    if (node instanceof Set) for (const v of node) walk(v, `${where}<item>`, depth + 1)
    if (ArrayBuffer.isView(node) || node instanceof ArrayBuffer) {
      const bytes =
        node instanceof ArrayBuffer
          ? new Uint8Array(node)
          : new Uint8Array(node.buffer, node.byteOffset, node.byteLength)
      return check(new TextDecoder().decode(bytes.subarray(0, 1 << 20)), where)
    }
    for (const key of Reflect.ownKeys(node)) {
      const name = typeof key === 'symbol' ? (key.description ?? '') : key
      if (SKIPPED.has(name)) continue
      const descriptor = Object.getOwnPropertyDescriptor(node, key)
      if (descriptor && 'value' in descriptor) walk(descriptor.value, `${where}.${name}`, depth + 1)
    }
    // The links an error is read through, also when they are getters (ky's, undici's).
    for (const link of ['cause', 'request', 'response', 'options', 'message', 'stack'] as const) {
      if (Object.hasOwn(node, link)) continue
      let linked: unknown
      try {
        linked = (node as Record<string, unknown>)[link]
      } catch {
        continue
      }
      walk(linked, `${where}.${link}`, depth + 1)
    }
  }
  walk(value, 'thrown', 0)
  check(inspect(value, { depth: 10, showHidden: true }), 'util.inspect')
  return [...new Set(found)]
}

/** Fail when any credential in play is reachable from `value` (see {@link findCredentials}). */
export function expectNoCredentials(value: unknown, label = 'the thrown value'): void {
  expect(findCredentials(value), `credentials reachable from ${label}`).toEqual([])
}
