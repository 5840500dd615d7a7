/**
 * OAuth 1.0a request signing (RFC 5849 §3): signature base string, signing key, the four signature
 * methods, and the placement of the protocol parameters in the header, the query or a form body.
 *
 * Parameter normalisation, the base string, the signing key and the `Authorization` header come from
 * oauth-1.0a; the request is normalised before it is handed over, because oauth-1.0a parses queries
 * and base URIs in ways RFC 5849 does not allow. Hashing uses WebCrypto (oauth-1.0a's is synchronous).
 *
 * @module
 */
import OAuth from 'oauth-1.0a'
import { ErrorCode, OAuthKitError } from '../errors/error.js'
import { generateNonce, hmac, rsaSha1 } from './crypto.js'
import type {
  OAuth1Credentials,
  SignatureMethod,
  SignaturePlacement,
  SignedRequest,
  SignRequestInput,
} from './signing-types.js'

export { importRsaSha1Key } from './crypto.js'

export type {
  OAuth1Credentials,
  SignatureMethod,
  SignaturePlacement,
  SignedRequest,
  SignRequestInput,
} from './signing-types.js'

const SIGNATURE_METHODS: ReadonlySet<string> = new Set<SignatureMethod>([
  'HMAC-SHA1',
  'HMAC-SHA256',
  'RSA-SHA1',
  'PLAINTEXT',
])
const PLACEMENTS: ReadonlySet<string> = new Set<SignaturePlacement>(['header', 'query', 'body'])
// Protocol parameters signRequest sets itself, so they may appear neither in oauthParams nor in the request.
const COMPUTED_PARAMS: ReadonlySet<string> = new Set([
  'oauth_consumer_key',
  'oauth_nonce',
  'oauth_signature',
  'oauth_signature_method',
  'oauth_timestamp',
  'oauth_token',
])
const KNOWN_PARAMS: ReadonlySet<string> = new Set([
  ...COMPUTED_PARAMS,
  'oauth_callback',
  'oauth_verifier',
  'oauth_version',
])
const FORM_TYPE = 'application/x-www-form-urlencoded'
// An RFC 9110 token: fetch accepts no other method.
const METHOD_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

// oauth-1.0a as a codec: constructed as PLAINTEXT only because that needs no hash_function, which we never call.
const codec = new OAuth({ consumer: { key: '', secret: '' }, signature_method: 'PLAINTEXT' })

function invalidRequest(message: string): OAuthKitError {
  return new OAuthKitError(ErrorCode.INVALID_REQUEST, message)
}

function configInvalid(message: string, cause?: unknown): OAuthKitError {
  return new OAuthKitError(ErrorCode.CONFIG_INVALID, message, { cause })
}

// encodeURIComponent (inside oauth-1.0a) throws URIError on a lone surrogate: report it without the value.
function encoding<T>(what: string, code: ErrorCode, run: () => T): T {
  try {
    return run()
  } catch (cause) {
    if (cause instanceof URIError) {
      throw new OAuthKitError(
        code,
        `${what} is not well-formed Unicode (lone surrogate) and cannot be percent-encoded`,
      )
    }
    throw cause
  }
}

/**
 * Percent-encodes a string as RFC 5849 requires: UTF-8, every octet but `A-Z a-z 0-9 - . _ ~` as `%XX`.
 *
 * @throws An {@link OAuthKitError} `invalid_request` when the string holds a lone surrogate.
 * @see {@link https://www.rfc-editor.org/rfc/rfc5849#section-3.6 | RFC 5849 §3.6}
 */
export function percentEncode(value: string): string {
  return encoding('A value', ErrorCode.INVALID_REQUEST, () => codec.percentEncode(value))
}

function parseUrl(url: string | URL): URL {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw invalidRequest('The request URL is not a valid absolute URL')
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw invalidRequest('The request URL must use http or https')
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw invalidRequest('The request URL must not contain credentials')
  }
  return parsed
}

/**
 * The base string URI of a request URL: scheme and host in lower case, default port dropped, no query
 * or fragment. The path is kept as the WHATWG URL serialises it, which is what `fetch` sends.
 *
 * @throws An {@link OAuthKitError} `invalid_request` when the URL is not an absolute http(s) URL without credentials.
 * @see {@link https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.2 | RFC 5849 §3.4.1.2}
 */
export function baseUri(url: string | URL): string {
  const parsed = parseUrl(url)
  // WHATWG URL already lower-cases the scheme and host, drops 80/443 and turns an empty path into "/".
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`
}

/**
 * Decodes an `application/x-www-form-urlencoded` string (a query or a form body) into name/value pairs,
 * keeping repeated names, in order: `+` is a space, `%XX` is a UTF-8 octet, a name without `=` has an
 * empty value.
 *
 * @see {@link https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.3.1 | RFC 5849 §3.4.1.3.1}
 */
export function parseForm(text: string): Array<[string, string]> {
  // URLSearchParams drops a leading "?"; a leading "&" only adds an empty pair, which it skips.
  return [...new URLSearchParams(`&${text}`)]
}

/**
 * The request parameters that are signed: the query's, then the form body's when the body is
 * `application/x-www-form-urlencoded`; `oauth_signature` is left out.
 *
 * @param formBody - the body, only when its content type is `application/x-www-form-urlencoded`.
 * @see {@link https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.3.1 | RFC 5849 §3.4.1.3.1}
 */
export function collectParameters(url: string | URL, formBody?: string): Array<[string, string]> {
  const params = [
    ...parseUrl(url).searchParams,
    ...(formBody === undefined ? [] : parseForm(formBody)),
  ]
  return params.filter(([name]) => name !== 'oauth_signature')
}

function normaliseMethod(method: string): string {
  if (typeof method !== 'string' || !METHOD_TOKEN.test(method))
    throw invalidRequest('The HTTP method is not a valid token')
  return method.toUpperCase()
}

// RFC 5849 §3.4.1.3.2 by hand, used only when oauth-1.0a cannot keep a parameter (see baseString).
function normaliseParameters(params: ReadonlyArray<readonly [string, string]>): string {
  return params
    .map(([name, value]) => [percentEncode(name), percentEncode(value)] as const)
    .sort(([n1, v1], [n2, v2]) => (n1 < n2 ? -1 : n1 > n2 ? 1 : v1 < v2 ? -1 : v1 > v2 ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&')
}

/**
 * The signature base string of a request: method, base string URI and normalised parameters.
 *
 * @param params - every signed parameter, decoded: query, form body and protocol parameters
 *   (without `oauth_signature` and `realm`), repeated names included.
 * @throws An {@link OAuthKitError} `invalid_request` for a method that is not a token, a URL that is not
 *   absolute http(s), or a parameter that is not well-formed Unicode.
 * @see {@link https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1 | RFC 5849 §3.4.1}
 */
export function baseString(
  method: string,
  url: string | URL,
  params: ReadonlyArray<readonly [string, string]>,
): string {
  // oauth-1.0a neither encodes the method (§3.4.1.1: custom methods are encoded) nor normalises the URI.
  const request = { method: percentEncode(normaliseMethod(method)), url: baseUri(url) }
  if (params.some(([name]) => name === '__proto__')) {
    // oauth-1.0a copies parameters into plain objects, where a "__proto__" name is lost: normalise by hand.
    return `${request.method}&${percentEncode(request.url)}&${percentEncode(normaliseParameters(params))}`
  }
  // Repeated names go in as arrays, which oauth-1.0a sorts and emits value by value; handing it decoded
  // parameters and a URI without query keeps it from parsing the query itself, which it gets wrong.
  const data: Record<string, string | string[]> = Object.create(null) as Record<
    string,
    string | string[]
  >
  for (const [name, value] of params) {
    const seen = data[name]
    data[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value]
  }
  return encoding('A request parameter', ErrorCode.INVALID_REQUEST, () =>
    codec.getBaseString({ ...request, data }, {} as OAuth.Data),
  )
}

/** The media type of a Content-Type value, lower-cased, without parameters. */
export function mediaType(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase()
}

interface RequestBody {
  /** The body as sent, when it can be read as text. */
  text: string | undefined
  /** True when the body is `application/x-www-form-urlencoded` and its parameters are signed. */
  form: boolean
}

function readBody(
  input: SignRequestInput,
  headers: Headers,
  placement: SignaturePlacement,
  method: string,
): RequestBody {
  const { body } = input
  const isParams = body instanceof URLSearchParams
  // fetch labels a URLSearchParams body as a form itself; we return a string body, so we label it.
  if (isParams && !headers.has('content-type'))
    headers.set('content-type', `${FORM_TYPE};charset=UTF-8`)
  const text = typeof body === 'string' ? body : isParams ? body.toString() : undefined
  const contentType = headers.get('content-type')
  const form = contentType !== null && mediaType(contentType) === FORM_TYPE
  if (form && text === undefined && body != null) {
    throw invalidRequest('A form-urlencoded body must be a string or URLSearchParams to be signed')
  }
  if (placement !== 'body') return { text, form }
  if (method === 'GET' || method === 'HEAD') {
    throw invalidRequest(`placement "body" is not possible with ${method}, which has no body`)
  }
  if (form) return { text: text ?? '', form }
  // §3.5.2: the parameters need a form body; an absent body can become one, any other cannot.
  if ((body != null && body !== '') || contentType !== null) {
    throw invalidRequest('placement "body" needs an application/x-www-form-urlencoded body')
  }
  headers.set('content-type', FORM_TYPE)
  return { text: '', form: true }
}

function protocolParameters(
  credentials: OAuth1Credentials,
  method: SignatureMethod,
  input: SignRequestInput,
): Record<string, string> {
  const timestamp = input.timestamp ?? String(Math.floor(Date.now() / 1000))
  if (!/^[0-9]+$/.test(timestamp)) throw invalidRequest('timestamp must be a number of seconds')
  const nonce = input.nonce ?? generateNonce()
  if (typeof nonce !== 'string' || nonce === '')
    throw invalidRequest('nonce must be a non-empty string')
  const params: Record<string, string> = {
    oauth_consumer_key: credentials.clientId,
    oauth_nonce: nonce,
    oauth_signature_method: method,
    oauth_timestamp: timestamp,
  }
  if (credentials.token !== undefined && credentials.token !== '')
    params.oauth_token = credentials.token
  for (const [name, value] of Object.entries(input.oauthParams ?? {})) {
    if (!name.startsWith('oauth_') || COMPUTED_PARAMS.has(name)) {
      throw invalidRequest(
        'oauthParams may only add oauth_* parameters that signRequest does not set itself',
      )
    }
    if (typeof value !== 'string') throw invalidRequest('oauthParams values must be strings')
    params[name] = value
  }
  return params
}

function checkCredentials(credentials: OAuth1Credentials, method: SignatureMethod): void {
  if (typeof credentials.clientId !== 'string' || credentials.clientId === '') {
    throw configInvalid('OAuth 1 credentials need a clientId')
  }
  if (method === 'RSA-SHA1') {
    if (credentials.rsaKey === undefined) throw configInvalid('RSA-SHA1 signing needs an rsaKey')
  } else if (typeof credentials.clientSecret !== 'string') {
    throw configInvalid(`${method} signing needs a clientSecret`)
  }
}

/** §3.4.2–3.4.4: the signature of a base string; `signer` holds the client secret for the signing key. */
async function computeSignature(
  method: SignatureMethod,
  credentials: OAuth1Credentials,
  signer: OAuth,
  base: string,
): Promise<string> {
  if (method === 'RSA-SHA1') return rsaSha1(credentials.rsaKey as string | CryptoKey, base)
  const key = encoding('clientSecret or tokenSecret', ErrorCode.CONFIG_INVALID, () =>
    signer.getSigningKey(credentials.tokenSecret ?? ''),
  )
  if (method === 'PLAINTEXT') return key
  return hmac(method === 'HMAC-SHA1' ? 'SHA-1' : 'SHA-256', key, base)
}

// §3.5.1: the realm is a quoted-string (RFC 2617); printable ASCII keeps it a valid header value.
function quoteRealm(realm: string): string {
  if (!/^[\x20-\x7e]*$/.test(realm)) throw invalidRequest('realm must be printable ASCII')
  return realm.replace(/[\\"]/g, '\\$&')
}

// Loopback traffic never leaves the machine, so PLAINTEXT over http is allowed there (local providers, tests).
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname)
}

function formEncode(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`)
    .join('&')
}

/**
 * Signs a request with OAuth 1.0a and puts the protocol parameters where `placement` says.
 *
 * PLAINTEXT, whose signature is the secrets themselves, is refused over http except to a loopback host.
 *
 * The signed parameters are the query's, a form body's (`application/x-www-form-urlencoded` only) and
 * the protocol parameters; the signing key is `enc(clientSecret)&enc(tokenSecret)`, the `&` always present.
 *
 * @throws An {@link OAuthKitError} `config_invalid` for missing or unusable credentials; `invalid_request`
 *   for a malformed URL, method, realm, body or protocol parameter, a body placement without a form body,
 *   a request that already carries one of the protocol parameters being added, or PLAINTEXT over http.
 * @see {@link https://www.rfc-editor.org/rfc/rfc5849#section-3 | RFC 5849 §3}
 */
export async function signRequest(
  credentials: OAuth1Credentials,
  input: SignRequestInput,
): Promise<SignedRequest> {
  const method = input.signatureMethod ?? 'HMAC-SHA1'
  if (!SIGNATURE_METHODS.has(method)) throw configInvalid('Unsupported OAuth 1 signature method')
  checkCredentials(credentials, method)
  const placement = input.placement ?? 'header'
  if (!PLACEMENTS.has(placement)) throw invalidRequest('placement must be header, query or body')
  const httpMethod = normaliseMethod(input.method)
  const url = parseUrl(input.url)
  let headers: Headers
  try {
    headers = new Headers(input.headers)
  } catch {
    throw invalidRequest('The request headers are not valid')
  }
  const body = readBody(input, headers, placement, httpMethod)
  if (method === 'PLAINTEXT' && url.protocol !== 'https:' && !isLoopback(url.hostname)) {
    throw invalidRequest(
      'PLAINTEXT sends the secrets as the signature: it needs https (RFC 5849 §3.4.4)',
    )
  }

  const requestParams = [...url.searchParams, ...(body.form ? parseForm(body.text ?? '') : [])]
  const protocol = protocolParameters(credentials, method, input)
  const clash = requestParams.find(
    ([name]) => name === 'oauth_signature' || Object.hasOwn(protocol, name),
  )
  if (clash) {
    // Only a well-known name is shown: an arbitrary one could be anything the caller put in the request.
    const name = KNOWN_PARAMS.has(clash[0]) ? clash[0] : 'oauth_*'
    throw invalidRequest(`The request already carries the protocol parameter ${name}`)
  }

  const base = baseString(httpMethod, url, [...requestParams, ...Object.entries(protocol)])
  const realm =
    placement === 'header' && input.realm !== undefined ? quoteRealm(input.realm) : undefined
  const signer = new OAuth({
    consumer: { key: credentials.clientId, secret: credentials.clientSecret ?? '' },
    signature_method: 'PLAINTEXT',
    ...(realm === undefined ? {} : { realm }),
  })
  const oauthParams = {
    ...protocol,
    oauth_signature: await computeSignature(method, credentials, signer, base),
  }

  let text = body.text
  if (placement === 'header') {
    // toHeader's typings want the fields of its own authorize(); it only reads the oauth_* entries.
    headers.set(
      'authorization',
      signer.toHeader(oauthParams as unknown as OAuth.Authorization).Authorization,
    )
  } else if (placement === 'query') {
    url.search = [url.search.slice(1), formEncode(oauthParams)]
      .filter((part) => part !== '')
      .join('&')
  } else {
    text = [text?.replace(/&$/, ''), formEncode(oauthParams)]
      .filter((part) => part !== '' && part !== undefined)
      .join('&')
  }
  return {
    url: url.href,
    headers,
    ...(text === undefined ? {} : { body: text }),
    oauthParams,
    baseString: base,
  }
}
