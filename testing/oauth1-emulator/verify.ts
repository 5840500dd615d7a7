/**
 * Verifying a signed OAuth 1.0a request as a provider does, independently of the code under test:
 * it parses the `Authorization` header, the query and a form body, builds the RFC 5849 §3.4.1
 * signature base string and percent-encodes (§3.6) with its own code, and computes HMAC-SHA1 /
 * HMAC-SHA256 with `node:crypto` (PLAINTEXT is compared as §3.4.4 says). It imports nothing from
 * `src/oauth1`, so a signing bug in oauthkit fails here as it would at the provider.
 *
 * @module
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

/** A signature method the emulation can verify. @group Testing */
export type EmulatedSignatureMethod = 'HMAC-SHA1' | 'HMAC-SHA256' | 'PLAINTEXT'

/**
 * Why an emulated OAuth 1 provider refused a request; the names are the OAuth Problem Reporting
 * extension's (`oauth_problem`).
 * @group Testing
 */
export type OAuth1Problem =
  | 'parameter_absent'
  | 'parameter_rejected'
  | 'version_rejected'
  | 'signature_method_rejected'
  | 'consumer_key_unknown'
  | 'timestamp_refused'
  | 'nonce_used'
  | 'token_rejected'
  | 'signature_invalid'
  | 'verifier_invalid'

/** The client credentials an emulated provider knows. @group Testing */
export interface EmulatedConsumer {
  /** The client identifier (`oauth_consumer_key`). */
  key: string
  /** The client shared secret (the first half of the signing key). */
  secret: string
}

/** What a token credential presented to an emulated API was issued for. @group Testing */
export interface OAuth1EmulatedGrant {
  /** The `oauth_consumer_key` the token was issued to. */
  clientId: string
  /** The request-token request's own query and form parameters (`x_auth_access_type`, …). */
  requestTokenParams: URLSearchParams
  /** The `oauth_callback` of the login. */
  callback: string
  /** The authorization URL's query the user approved (Trello's `scope`, `expiration`); empty without a login. */
  authorizeParams?: URLSearchParams
  /** When the token credentials were issued (ms since the epoch). */
  issuedAt?: number
}

/** What the emulation read from a request it verified. @group Testing */
export interface OAuth1VerifiedRequest {
  /** The protocol parameters (`oauth_*`), from wherever they were sent. */
  oauth: Record<string, string>
  /** The query and form parameters other than the protocol ones. */
  params: URLSearchParams
}

export const FORM = 'application/x-www-form-urlencoded'

/** A refusal, carried from the checks to the handler. */
export class Refusal extends Error {
  constructor(readonly problem: OAuth1Problem) {
    super(problem)
  }
}

/** RFC 5849 §3.6: UTF-8, then every octet but ALPHA / DIGIT / `-._~` as `%XX` (upper case). */
function rfc5849Encode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )
}

function decode(value: string, plusIsSpace: boolean): string {
  try {
    return decodeURIComponent(plusIsSpace ? value.replace(/\+/g, ' ') : value)
  } catch {
    throw new Refusal('parameter_rejected')
  }
}

/** `application/x-www-form-urlencoded` pairs in order, duplicates kept (RFC 5849 §3.4.1.3.1). */
function formPairs(encoded: string): Array<[string, string]> {
  if (encoded === '') return []
  return encoded
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=')
      return eq === -1
        ? [decode(part, true), '']
        : [decode(part.slice(0, eq), true), decode(part.slice(eq + 1), true)]
    })
}

/** The `OAuth` `Authorization` header's parameters, `realm` excluded (RFC 5849 §3.5.1). */
function headerPairs(header: string | null): Array<[string, string]> {
  if (header === null) return []
  const match = /^OAuth\s+([\s\S]*)$/i.exec(header.trim())
  if (!match) return []
  const pairs: Array<[string, string]> = []
  for (const item of match[1]!.split(',')) {
    if (item.trim() === '') continue
    const param = /^\s*([^\s=]+)\s*=\s*"([^"]*)"\s*$/.exec(item)
    if (!param) throw new Refusal('parameter_rejected')
    const name = decode(param[1]!, false)
    if (name !== 'realm') pairs.push([name, decode(param[2]!, false)])
  }
  return pairs
}

/** RFC 5849 §3.4.1: method, base string URI and the normalised parameters. */
function signatureBaseString(method: string, url: URL, pairs: Array<[string, string]>): string {
  // §3.4.1.2: scheme and host in lower case, the port only when it is not the default (URL.host does both).
  const uri = `${url.protocol.toLowerCase()}//${url.host.toLowerCase()}${url.pathname}`
  // §3.4.1.3.2: encode, sort by name then value (byte order of the encoded strings), join.
  const normalised = pairs
    .filter(([name]) => name !== 'oauth_signature')
    .map(([name, value]) => [rfc5849Encode(name), rfc5849Encode(value)] as const)
    .sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&')
  return [method.toUpperCase(), rfc5849Encode(uri), rfc5849Encode(normalised)].join('&')
}

export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** What a request is checked against: the known clients and methods, the clock window, used nonces. */
export interface VerifierState {
  consumers: readonly EmulatedConsumer[]
  methods: ReadonlySet<string>
  /** Largest accepted distance between `oauth_timestamp` and the clock, in seconds. */
  window: number
  /** Nonces seen so far (per client, token and timestamp); a verified request adds its own. */
  nonces: Set<string>
}

/**
 * Check one signed request. `secretOf` finds the secret of the presented `oauth_token` (undefined:
 * unknown token), or is undefined when the request must carry no token (temporary credentials).
 */
export async function verifySignedRequest(
  request: Request,
  state: VerifierState,
  secretOf: ((token: string) => string | undefined) | undefined,
): Promise<OAuth1VerifiedRequest> {
  const url = new URL(request.url)
  const header = headerPairs(request.headers.get('authorization'))
  const query = formPairs(url.search.slice(1))
  const contentType = (request.headers.get('content-type') ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase()
  const body = contentType === FORM ? formPairs(await request.clone().text()) : []
  const all = [...header, ...query, ...body]
  const oauth: Record<string, string> = {}
  const params = new URLSearchParams()
  for (const [name, value] of all) {
    if (name.startsWith('oauth_')) {
      // §3.5: each protocol parameter once, in one place.
      if (Object.hasOwn(oauth, name)) throw new Refusal('parameter_rejected')
      oauth[name] = value
    } else {
      params.append(name, value)
    }
  }
  for (const required of ['oauth_consumer_key', 'oauth_signature_method', 'oauth_signature']) {
    if (oauth[required] === undefined) throw new Refusal('parameter_absent')
  }
  const consumer = state.consumers.find((c) => c.key === oauth.oauth_consumer_key)
  if (!consumer) throw new Refusal('consumer_key_unknown')
  const method = oauth.oauth_signature_method!
  if (!state.methods.has(method)) throw new Refusal('signature_method_rejected')
  if (oauth.oauth_version !== undefined && oauth.oauth_version !== '1.0')
    throw new Refusal('version_rejected')
  if (method !== 'PLAINTEXT') {
    // §3.3: timestamp and nonce are required of every method but PLAINTEXT.
    if (oauth.oauth_timestamp === undefined || oauth.oauth_nonce === undefined)
      throw new Refusal('parameter_absent')
    if (!/^\d+$/.test(oauth.oauth_timestamp)) throw new Refusal('parameter_rejected')
    if (Math.abs(Math.floor(Date.now() / 1000) - Number(oauth.oauth_timestamp)) > state.window)
      throw new Refusal('timestamp_refused')
  }
  let tokenSecret = ''
  if (secretOf === undefined) {
    if (oauth.oauth_token !== undefined) throw new Refusal('parameter_rejected')
  } else {
    if (oauth.oauth_token === undefined) throw new Refusal('parameter_absent')
    const secret = secretOf(oauth.oauth_token)
    if (secret === undefined) throw new Refusal('token_rejected')
    tokenSecret = secret
  }
  const key = `${rfc5849Encode(consumer.secret)}&${rfc5849Encode(tokenSecret)}`
  const expected =
    method === 'PLAINTEXT'
      ? key
      : createHmac(method === 'HMAC-SHA256' ? 'sha256' : 'sha1', key)
          .update(signatureBaseString(request.method, url, all))
          .digest('base64')
  if (!sameText(oauth.oauth_signature!, expected)) throw new Refusal('signature_invalid')
  if (method !== 'PLAINTEXT') {
    // §3.3: a nonce is used once per timestamp and client (and token).
    const seen = `${consumer.key}\n${oauth.oauth_token ?? ''}\n${oauth.oauth_timestamp}\n${oauth.oauth_nonce}`
    if (state.nonces.has(seen)) throw new Refusal('nonce_used')
    state.nonces.add(seen)
  }
  return { oauth, params }
}
