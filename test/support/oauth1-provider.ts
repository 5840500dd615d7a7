/**
 * In-process OAuth 1.0a provider for tests, shaped like Twitter's v1.1 flow, on 127.0.0.1 (free port).
 *
 * It verifies every signature with its own code written from RFC 5849 (percent-encoding, parameter
 * collection from the header, query and form body, base string, HMAC-SHA1/HMAC-SHA256/RSA-SHA1/PLAINTEXT)
 * and imports nothing from src/, so it is an independent check of the client's signing.
 *
 * Endpoints: `POST /oauth/request_token`, `GET /oauth/authorize` (scripted with `approve()`),
 * `POST /oauth/access_token`, `GET|POST /1.1/account/verify_credentials.json`.
 */
import {
  createHmac,
  createPublicKey,
  randomBytes,
  timingSafeEqual,
  verify,
  type KeyObject,
} from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { registerCredential } from './secrets.js'

export type OAuth1TestSignatureMethod = 'HMAC-SHA1' | 'HMAC-SHA256' | 'RSA-SHA1' | 'PLAINTEXT'

export interface OAuth1TestConsumer {
  key: string
  /** Shared secret for HMAC-SHA1, HMAC-SHA256 and PLAINTEXT. */
  secret: string
  /** SPKI PEM or KeyObject; without one, RSA-SHA1 is refused for this consumer. */
  rsaPublicKey?: string | KeyObject
}

export interface OAuth1TestUser {
  id: string
  screenName: string
}

export interface StartOAuth1ProviderOptions {
  consumers: OAuth1TestConsumer[]
  /** The user who approves; default `{ id: '783214', screenName: 'oauthkit_test' }`. */
  user?: OAuth1TestUser
  /** Send `oauth_callback_confirmed=true` with temporary credentials (OAuth 1.0a); default true. */
  callbackConfirmed?: boolean
  /** Largest accepted distance between `oauth_timestamp` and the clock, in seconds; default 300. */
  timestampWindow?: number
  /** The clock, in Unix seconds; default the real one. */
  now?: () => number
  /** `GET /oauth/authorize` redirects at once as if the user approved; default false (a page is shown). */
  autoApprove?: boolean
}

/** Why a request was refused; the names are the OAuth Problem Reporting extension's where it has one. */
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

/**
 * Status, Twitter-style error code and message per problem. Token endpoints answer
 * `oauth_problem=…&oauth_problem_advice=<message>` (form-encoded), API endpoints
 * `{"errors":[{"code":…,"message":…}]}`.
 */
export const OAUTH1_PROBLEMS: Readonly<
  Record<OAuth1Problem, { status: number; code: number; message: string }>
> = {
  parameter_absent: { status: 400, code: 215, message: 'Bad Authentication data.' },
  parameter_rejected: {
    status: 400,
    code: 214,
    message: 'Duplicated or malformed OAuth parameter.',
  },
  version_rejected: { status: 400, code: 216, message: 'Unsupported oauth_version.' },
  signature_method_rejected: { status: 400, code: 217, message: 'Unsupported signature method.' },
  consumer_key_unknown: { status: 401, code: 416, message: 'Invalid consumer key.' },
  timestamp_refused: { status: 401, code: 135, message: 'Timestamp out of bounds.' },
  nonce_used: { status: 401, code: 218, message: 'Nonce already used.' },
  token_rejected: { status: 401, code: 89, message: 'Invalid or expired token.' },
  signature_invalid: { status: 401, code: 32, message: 'Could not authenticate you.' },
  verifier_invalid: { status: 401, code: 219, message: 'Invalid oauth_verifier parameter.' },
}

export type OAuth1ParamLocation = 'header' | 'query' | 'body'

/** What the provider saw of one signed request, for assertions. */
export interface OAuth1ReceivedRequest {
  method: string
  path: string
  /** Where `oauth_signature` was found. */
  location?: OAuth1ParamLocation
  /** The protocol (`oauth_*`) parameters received, decoded. */
  protocol: Record<string, string>
  /** The realm of the Authorization header, if any. */
  realm?: string
  /** The base string the provider computed. */
  baseString?: string
  /** Set when the request was refused. */
  problem?: OAuth1Problem
}

export interface OAuth1Provider {
  /** e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string
  /** Consumers by key; add or change some during a test. */
  consumers: Map<string, OAuth1TestConsumer>
  /** Every request that went through signature checking, in order. */
  requests: OAuth1ReceivedRequest[]
  /**
   * Acts as the user on the authorization page: returns the callback URL with `oauth_token` and
   * `oauth_verifier`, or with `denied=<oauth_token>` when `deny` is set. For an `oob` callback the URL is
   * the provider's own `/oauth/oob` PIN page. Throws when the token is not a pending request token.
   */
  approve(oauthToken: string, options?: { deny?: boolean; user?: OAuth1TestUser }): string
  /** Issues token credentials directly, to test API calls without the whole flow. */
  issueAccessToken(consumerKey: string, user?: OAuth1TestUser): { token: string; secret: string }
  close(): Promise<void>
}

// ---------------------------------------------------------------------------------------------------
// RFC 5849, written out here so that the provider shares no code with src/.

const HEX = '0123456789ABCDEF'

function isUnreserved(byte: number): boolean {
  // RFC 3986 unreserved: ALPHA / DIGIT / "-" / "." / "_" / "~" (RFC 5849 §3.6).
  return (
    (byte >= 0x41 && byte <= 0x5a) ||
    (byte >= 0x61 && byte <= 0x7a) ||
    (byte >= 0x30 && byte <= 0x39) ||
    byte === 0x2d ||
    byte === 0x2e ||
    byte === 0x5f ||
    byte === 0x7e
  )
}

/** RFC 5849 §3.6: UTF-8 octets, unreserved kept, everything else `%XX` with upper-case hex. */
export function rfcPercentEncode(value: string): string {
  let out = ''
  for (const byte of Buffer.from(value, 'utf8')) {
    out += isUnreserved(byte) ? String.fromCharCode(byte) : `%${HEX[byte >> 4]}${HEX[byte & 15]}`
  }
  return out
}

function hexValue(byte: number | undefined): number {
  if (byte === undefined) return -1
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x41 + 10
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x61 + 10
  return -1
}

/** Percent-decodes to UTF-8; `%` not followed by two hex digits stays literal, as form decoders do. */
function percentDecode(value: string, plusIsSpace: boolean): string {
  const src = Buffer.from(value, 'utf8')
  const out: number[] = []
  for (let i = 0; i < src.length; i++) {
    const byte = src[i]!
    const hi = hexValue(src[i + 1])
    const lo = hexValue(src[i + 2])
    if (byte === 0x25 && hi >= 0 && lo >= 0) {
      out.push(hi * 16 + lo)
      i += 2
    } else {
      out.push(plusIsSpace && byte === 0x2b ? 0x20 : byte)
    }
  }
  return Buffer.from(out).toString('utf8')
}

/** `application/x-www-form-urlencoded` decoding as RFC 5849 §3.4.1.3.1 cites it (W3C HTML 4.0 §17.13.4). */
export function rfcParseForm(text: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = []
  for (const part of text.split('&')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    const name = eq === -1 ? part : part.slice(0, eq)
    const value = eq === -1 ? '' : part.slice(eq + 1)
    pairs.push([percentDecode(name, true), percentDecode(value, true)])
  }
  return pairs
}

/** RFC 5849 §3.5.1: `OAuth realm="…", name="enc(value)", …`; undefined when not an OAuth header. */
function parseAuthorizationHeader(
  header: string,
): { realm?: string; params: Array<[string, string]> } | undefined {
  const scheme = /^OAuth(?:[ \t]+|$)/i.exec(header)
  if (!scheme) return undefined
  const params: Array<[string, string]> = []
  let realm: string | undefined
  const item = /^[ \t]*([^\s=,"]+)[ \t]*=[ \t]*"((?:[^"\\]|\\.)*)"[ \t]*(?:,|$)/
  let rest = header.slice(scheme[0].length)
  while (rest.trim() !== '') {
    const match = item.exec(rest)
    if (!match) throw new Problem('parameter_rejected')
    const [whole, name = '', quoted = ''] = match
    // The realm is an RFC 2617 quoted-string; the others are percent-encoded.
    if (name === 'realm') realm = quoted.replace(/\\(.)/g, '$1')
    else params.push([percentDecode(name, false), percentDecode(quoted, false)])
    rest = rest.slice(whole.length)
  }
  return { ...(realm === undefined ? {} : { realm }), params }
}

/** RFC 5849 §3.4.1.3.2: encode names and values, sort by name then value (byte order), join. */
export function rfcNormaliseParameters(params: ReadonlyArray<readonly [string, string]>): string {
  const encoded = params.map(
    ([name, value]) => [rfcPercentEncode(name), rfcPercentEncode(value)] as const,
  )
  // Encoded strings are ASCII, so comparing UTF-16 code units is comparing bytes.
  encoded.sort(([n1, v1], [n2, v2]) =>
    n1 < n2 ? -1 : n1 > n2 ? 1 : v1 < v2 ? -1 : v1 > v2 ? 1 : 0,
  )
  return encoded.map(([name, value]) => `${name}=${value}`).join('&')
}

/** RFC 5849 §3.4.1: `METHOD&enc(base string URI)&enc(normalised parameters)`. */
export function rfcBaseString(
  method: string,
  baseUri: string,
  params: ReadonlyArray<readonly [string, string]>,
): string {
  return [method.toUpperCase(), baseUri, rfcNormaliseParameters(params)]
    .map(rfcPercentEncode)
    .join('&')
}

/** RFC 5849 §3.4.1.2 for a request received on plain HTTP: lower-case host, no `:80`, raw request path. */
function requestBaseUri(host: string, rawPath: string): string {
  const authority = host.toLowerCase().replace(/:80$/, '')
  return `http://${authority}${rawPath === '' ? '/' : rawPath}`
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8')
  const y = Buffer.from(b, 'utf8')
  return x.length === y.length && timingSafeEqual(x, y)
}

/** RFC 5849 §3.4.2–3.4.4 (and HMAC-SHA256): does `signature` sign `base` for these secrets? */
function signatureMatches(
  method: OAuth1TestSignatureMethod,
  signature: string,
  base: string,
  consumer: OAuth1TestConsumer,
  tokenSecret: string,
): boolean {
  const key = `${rfcPercentEncode(consumer.secret)}&${rfcPercentEncode(tokenSecret)}`
  switch (method) {
    case 'PLAINTEXT':
      return sameText(signature, key)
    case 'HMAC-SHA1':
      return sameText(signature, createHmac('sha1', key).update(base, 'utf8').digest('base64'))
    case 'HMAC-SHA256':
      return sameText(signature, createHmac('sha256', key).update(base, 'utf8').digest('base64'))
    case 'RSA-SHA1': {
      if (consumer.rsaPublicKey === undefined) return false
      const publicKey =
        typeof consumer.rsaPublicKey === 'string'
          ? createPublicKey(consumer.rsaPublicKey)
          : consumer.rsaPublicKey
      return verify('sha1', Buffer.from(base, 'utf8'), publicKey, Buffer.from(signature, 'base64'))
    }
  }
}

// ---------------------------------------------------------------------------------------------------

class Problem extends Error {
  constructor(
    readonly problem: OAuth1Problem,
    readonly extra: Record<string, string> = {},
  ) {
    super(problem)
  }
}

interface RequestToken {
  consumerKey: string
  secret: string
  callback: string
  status: 'pending' | 'approved' | 'denied'
  verifier?: string
  user?: OAuth1TestUser
}

interface AccessToken {
  consumerKey: string
  secret: string
  user: OAuth1TestUser
}

interface Incoming {
  method: string
  host: string
  path: string
  query: string
  authorization: string | undefined
  form: string | undefined
}

interface Authenticated {
  consumer: OAuth1TestConsumer
  protocol: Record<string, string>
  query: Array<[string, string]>
  form: Array<[string, string]>
}

const SIGNATURE_METHODS: ReadonlySet<string> = new Set([
  'HMAC-SHA1',
  'HMAC-SHA256',
  'RSA-SHA1',
  'PLAINTEXT',
])
const DEFAULT_USER: OAuth1TestUser = { id: '783214', screenName: 'oauthkit_test' }
const MAX_BODY = 1 << 20

/** A token, token secret or verifier; each is a credential in play (test/support/secrets.ts). */
function randomToken(): string {
  const token = randomBytes(16).toString('hex')
  registerCredential(token)
  return token
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY) reject(new Error('request body too large'))
      else chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

/** Starts the provider; `close()` it in `afterAll`. */
export async function startOAuth1Provider(
  options: StartOAuth1ProviderOptions,
): Promise<OAuth1Provider> {
  const consumers = new Map(options.consumers.map((consumer) => [consumer.key, consumer]))
  for (const consumer of options.consumers) registerCredential(consumer.secret)
  const defaultUser = options.user ?? DEFAULT_USER
  const window = options.timestampWindow ?? 300
  const now = options.now ?? (() => Math.floor(Date.now() / 1000))
  const requestTokens = new Map<string, RequestToken>()
  const accessTokens = new Map<string, AccessToken>()
  // consumer key + timestamp + nonce, with the timestamp to forget entries once outside the window.
  const nonces = new Map<string, number>()
  const requests: OAuth1ReceivedRequest[] = []
  let baseUrl = ''

  function rememberNonce(consumerKey: string, timestamp: number, nonce: string): boolean {
    for (const [key, seen] of nonces) if (seen < now() - window) nonces.delete(key)
    const key = `${consumerKey}\n${timestamp}\n${nonce}`
    if (nonces.has(key)) return false
    nonces.set(key, timestamp)
    return true
  }

  /** RFC 5849 §3.2: collect, check and verify; `tokenKind` says which token the endpoint needs. */
  function authenticate(
    incoming: Incoming,
    tokenKind: 'none' | 'request' | 'access',
  ): Authenticated & { token?: string } {
    const record: OAuth1ReceivedRequest = {
      method: incoming.method,
      path: incoming.path,
      protocol: {},
    }
    requests.push(record)
    try {
      const header =
        incoming.authorization === undefined
          ? undefined
          : parseAuthorizationHeader(incoming.authorization)
      if (header?.realm !== undefined) record.realm = header.realm
      const query = rfcParseForm(incoming.query)
      const form = incoming.form === undefined ? [] : rfcParseForm(incoming.form)
      const sources: Array<[OAuth1ParamLocation, Array<[string, string]>]> = [
        ['header', header?.params ?? []],
        ['query', query],
        ['body', form],
      ]
      // §3.4.1.3.1: every parameter of every source is signed; §3.1: each protocol parameter once.
      const signed: Array<[string, string]> = []
      const protocol = record.protocol
      for (const [location, params] of sources) {
        for (const [name, value] of params) {
          if (name.startsWith('oauth_')) {
            if (Object.hasOwn(protocol, name)) throw new Problem('parameter_rejected')
            protocol[name] = value
            if (name === 'oauth_signature') record.location = location
          }
          if (name !== 'oauth_signature') signed.push([name, value])
        }
      }
      const method = protocol.oauth_signature_method
      const required = ['oauth_consumer_key', 'oauth_signature_method', 'oauth_signature']
      // §3.1: timestamp and nonce may be omitted with PLAINTEXT.
      if (method !== 'PLAINTEXT') required.push('oauth_timestamp', 'oauth_nonce')
      if (tokenKind !== 'none') required.push('oauth_token')
      const absent = required.filter((name) => protocol[name] === undefined)
      if (absent.length > 0)
        throw new Problem('parameter_absent', { oauth_parameters_absent: absent.join('&') })
      if (protocol.oauth_version !== undefined && protocol.oauth_version !== '1.0')
        throw new Problem('version_rejected')
      if (method === undefined || !SIGNATURE_METHODS.has(method))
        throw new Problem('signature_method_rejected')
      // Signatures (with PLAINTEXT, the secrets themselves) and consumers a test added later are in play too.
      registerCredential(protocol.oauth_signature)
      const consumer = consumers.get(protocol.oauth_consumer_key ?? '')
      if (!consumer) throw new Problem('consumer_key_unknown')
      registerCredential(consumer.secret)
      if (method === 'RSA-SHA1' && consumer.rsaPublicKey === undefined)
        throw new Problem('signature_method_rejected')

      let timestamp: number | undefined
      if (protocol.oauth_timestamp !== undefined) {
        timestamp = /^[0-9]+$/.test(protocol.oauth_timestamp)
          ? Number(protocol.oauth_timestamp)
          : Number.NaN
        if (!(Math.abs(now() - timestamp) <= window)) throw new Problem('timestamp_refused')
      }

      let tokenSecret = ''
      const token = protocol.oauth_token
      if (tokenKind !== 'none') {
        const known =
          tokenKind === 'request' ? requestTokens.get(token ?? '') : accessTokens.get(token ?? '')
        if (!known || known.consumerKey !== consumer.key) throw new Problem('token_rejected')
        tokenSecret = known.secret
      }

      const base = rfcBaseString(
        incoming.method,
        requestBaseUri(incoming.host, incoming.path),
        signed,
      )
      record.baseString = base
      const signature = protocol.oauth_signature ?? ''
      if (
        !signatureMatches(
          method as OAuth1TestSignatureMethod,
          signature,
          base,
          consumer,
          tokenSecret,
        )
      ) {
        throw new Problem('signature_invalid')
      }
      // §3.3: remembered only once the signature is good, so forged requests cannot burn nonces.
      const nonce = protocol.oauth_nonce
      if (
        timestamp !== undefined &&
        nonce !== undefined &&
        !rememberNonce(consumer.key, timestamp, nonce)
      ) {
        throw new Problem('nonce_used')
      }
      const plain = (params: Array<[string, string]>) =>
        params.filter(([name]) => !name.startsWith('oauth_'))
      return {
        consumer,
        protocol,
        query: plain(query),
        form: plain(form),
        ...(token === undefined ? {} : { token }),
      }
    } catch (error) {
      if (error instanceof Problem) record.problem = error.problem
      throw error
    }
  }

  function issueAccessToken(
    consumerKey: string,
    user: OAuth1TestUser = defaultUser,
  ): { token: string; secret: string } {
    const token = randomToken()
    const secret = randomToken()
    accessTokens.set(token, { consumerKey, secret, user })
    return { token, secret }
  }

  function approve(
    oauthToken: string,
    approval: { deny?: boolean; user?: OAuth1TestUser } = {},
  ): string {
    const pending = requestTokens.get(oauthToken)
    if (!pending || pending.status !== 'pending')
      throw new Error(`approve: ${oauthToken} is not a pending request token`)
    const callback = new URL(pending.callback === 'oob' ? `${baseUrl}/oauth/oob` : pending.callback)
    if (approval.deny) {
      pending.status = 'denied'
      callback.searchParams.append('denied', oauthToken)
    } else {
      pending.status = 'approved'
      pending.verifier = randomToken()
      pending.user = approval.user ?? defaultUser
      callback.searchParams.append('oauth_token', oauthToken)
      callback.searchParams.append('oauth_verifier', pending.verifier)
    }
    return callback.href
  }

  function route(incoming: Incoming): {
    status: number
    type: string
    body: string
    location?: string
  } {
    const form = (fields: Record<string, string>) => ({
      status: 200,
      type: 'application/x-www-form-urlencoded',
      body: new URLSearchParams(fields).toString(),
    })
    const { method, path } = incoming
    if (method === 'POST' && path === '/oauth/request_token') {
      const { consumer, protocol } = authenticate(incoming, 'none')
      const callback = protocol.oauth_callback
      // §2.1: oauth_callback is required; "oob" when there is no callback.
      if (callback === undefined)
        throw new Problem('parameter_absent', { oauth_parameters_absent: 'oauth_callback' })
      if (callback !== 'oob' && !URL.canParse(callback)) throw new Problem('parameter_rejected')
      const token = randomToken()
      const secret = randomToken()
      requestTokens.set(token, { consumerKey: consumer.key, secret, callback, status: 'pending' })
      return form({
        oauth_token: token,
        oauth_token_secret: secret,
        ...(options.callbackConfirmed === false ? {} : { oauth_callback_confirmed: 'true' }),
      })
    }
    if (method === 'GET' && path === '/oauth/authorize') {
      const token = new URLSearchParams(incoming.query).get('oauth_token') ?? ''
      if (requestTokens.get(token)?.status !== 'pending') throw new Problem('token_rejected')
      if (options.autoApprove)
        return { status: 302, type: 'text/plain', body: '', location: approve(token) }
      return { status: 200, type: 'text/html', body: `<h1>Authorize this app?</h1><p>${token}</p>` }
    }
    if (method === 'GET' && path === '/oauth/oob') {
      return {
        status: 200,
        type: 'text/plain',
        body: new URLSearchParams(incoming.query).get('oauth_verifier') ?? '',
      }
    }
    if (method === 'POST' && path === '/oauth/access_token') {
      const { consumer, protocol, token = '' } = authenticate(incoming, 'request')
      const pending = requestTokens.get(token)
      if (!pending || pending.status !== 'approved' || !pending.user)
        throw new Problem('token_rejected')
      if (protocol.oauth_verifier === undefined)
        throw new Problem('parameter_absent', { oauth_parameters_absent: 'oauth_verifier' })
      if (protocol.oauth_verifier !== pending.verifier) throw new Problem('verifier_invalid')
      requestTokens.delete(token)
      const issued = issueAccessToken(consumer.key, pending.user)
      return form({
        oauth_token: issued.token,
        oauth_token_secret: issued.secret,
        user_id: pending.user.id,
        screen_name: pending.user.screenName,
      })
    }
    if (
      path === '/1.1/account/verify_credentials.json' &&
      (method === 'GET' || method === 'POST')
    ) {
      const { query, form: body, token = '' } = authenticate(incoming, 'access')
      const user = accessTokens.get(token)?.user ?? defaultUser
      const echo = {
        id: Number(user.id),
        id_str: user.id,
        screen_name: user.screenName,
        query,
        ...(method === 'POST' ? { form: body } : {}),
      }
      return { status: 200, type: 'application/json', body: JSON.stringify(echo) }
    }
    return {
      status: 404,
      type: 'application/json',
      body: JSON.stringify({ errors: [{ code: 34, message: 'Sorry, that page does not exist.' }] }),
    }
  }

  const server = http.createServer((req, res) => {
    void (async () => {
      const target = req.url ?? '/'
      const q = target.indexOf('?')
      const path = q === -1 ? target : target.slice(0, q)
      const raw = await readBody(req)
      const contentType = req.headers['content-type']
      // §3.4.1.3.1: only a form-urlencoded body carries signed parameters.
      const isForm =
        (contentType ?? '').split(';')[0]?.trim().toLowerCase() ===
        'application/x-www-form-urlencoded'
      const incoming: Incoming = {
        method: (req.method ?? 'GET').toUpperCase(),
        host: req.headers.host ?? '',
        path,
        query: q === -1 ? '' : target.slice(q + 1),
        authorization: req.headers.authorization,
        form: isForm ? raw : undefined,
      }
      try {
        const answer = route(incoming)
        res.writeHead(answer.status, {
          'content-type': answer.type,
          ...(answer.location === undefined ? {} : { location: answer.location }),
        })
        res.end(answer.body)
      } catch (error) {
        if (!(error instanceof Problem)) throw error
        const { status, code, message } = OAUTH1_PROBLEMS[error.problem]
        if (path.startsWith('/oauth/')) {
          const body = new URLSearchParams({
            oauth_problem: error.problem,
            oauth_problem_advice: message,
            ...error.extra,
          })
          res.writeHead(status, { 'content-type': 'application/x-www-form-urlencoded' })
          res.end(body.toString())
        } else {
          res.writeHead(status, { 'content-type': 'application/json' })
          res.end(JSON.stringify({ errors: [{ code, message }] }))
        }
      }
    })().catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' })
      res.end(String(error))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    url: baseUrl,
    consumers,
    requests,
    approve,
    issueAccessToken,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}
