/**
 * Claimed identifiers: their normalisation (OpenID 2.0 §7.2) and their discovery (§7.3: Yadis XRDS,
 * else the HTML `openid2.provider` link), to learn which provider endpoints may assert them.
 *
 * @module
 */
import { ErrorCode, OAuthKitError, isOAuthKitError } from '../errors/error.js'
import type { HttpClient } from '../http/client.js'
import { isLoopback } from '../http/loopback.js'

/** The service type of a claimed identifier's OpenID 2.0 sign-on (§7.3.2.1.2). */
const SIGNON_TYPE = 'http://specs.openid.net/auth/2.0/signon'

/** A provider endpoint discovered for a claimed identifier, and the OP-local identifier there. */
export interface DiscoveredService {
  endpoint: string
  localId?: string
}

/**
 * A claimed identifier in its normal form (§7.2): an http(s) URL as the URL parser writes it. XRIs
 * (`=name`, `xri://…`) are not supported; undefined for anything that is not such a URL.
 */
export function normaliseClaimedId(value: string): string | undefined {
  if (/^(xri:\/\/|[=@+$!(])/i.test(value)) return undefined
  const text = /^[a-z][a-z0-9+.-]*:/i.test(value) ? value : `http://${value}`
  if (!URL.canParse(text)) return undefined
  const url = new URL(text)
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password)
    return undefined
  return url.href
}

/** The URL discovery fetches: the claimed identifier without its fragment (§11.5). */
export function withoutFragment(claimedId: string): string {
  const url = new URL(claimedId)
  url.hash = ''
  return url.href
}

function xmlText(value: string): string {
  return value
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')
    .trim()
}

/** The OpenID 2.0 sign-on services of an XRDS document (the last XRD's, as Yadis reads it). */
export function parseXrds(xml: string): DiscoveredService[] {
  const xrds = xml.split(/<(?:\w+:)?XRD[\s>]/).pop() ?? ''
  const services: DiscoveredService[] = []
  for (const match of xrds.matchAll(/<(?:\w+:)?Service\b[^>]*>([\s\S]*?)<\/(?:\w+:)?Service>/g)) {
    const body = match[1]!
    const types = [...body.matchAll(/<(?:\w+:)?Type\b[^>]*>([\s\S]*?)<\//g)].map((t) =>
      xmlText(t[1]!),
    )
    if (!types.includes(SIGNON_TYPE)) continue
    const local = /<(?:\w+:)?LocalID\b[^>]*>([\s\S]*?)<\//.exec(body)
    for (const uri of body.matchAll(/<(?:\w+:)?URI\b[^>]*>([\s\S]*?)<\//g)) {
      const service: DiscoveredService = { endpoint: xmlText(uri[1]!) }
      if (local) service.localId = xmlText(local[1]!)
      services.push(service)
    }
  }
  return services
}

function htmlAttribute(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag)
  return m ? xmlText(m[2] ?? m[3] ?? m[4] ?? '') : undefined
}

/** HTML-based discovery (§7.3.3): `<link rel="openid2.provider" href>` and `openid2.local_id`. */
export function parseHtml(html: string): DiscoveredService[] {
  const head = html.split(/<body\b/i)[0] ?? ''
  let endpoint: string | undefined
  let localId: string | undefined
  for (const [tag] of head.matchAll(/<link\b[^>]*>/gi)) {
    const rels = (htmlAttribute(tag, 'rel') ?? '').toLowerCase().split(/\s+/)
    const href = htmlAttribute(tag, 'href')
    if (href === undefined) continue
    if (rels.includes('openid2.provider')) endpoint ??= href
    if (rels.includes('openid2.local_id')) localId ??= href
  }
  if (endpoint === undefined) return []
  return [localId === undefined ? { endpoint } : { endpoint, localId }]
}

function refused(app: string, why: string): OAuthKitError {
  return new OAuthKitError(
    ErrorCode.OPENID_ASSERTION_INVALID,
    `${app}: the claimed identifier could not be verified: ${why}`,
    { app },
  )
}

/**
 * Discover the OpenID 2.0 services of `claimedId`: a Yadis XRDS (by content type, or through one
 * `X-XRDS-Location`), else the HTML links. Redirects are not followed (a claimed identifier that
 * redirects is refused). Over `http:` only on loopback, or with `allowInsecure`.
 */
export async function discover(
  app: string,
  http: HttpClient,
  claimedId: string,
  allowInsecure: boolean | undefined,
): Promise<DiscoveredService[]> {
  const get = async (url: string) => {
    const parsed = new URL(url)
    if (parsed.protocol !== 'https:' && !(isLoopback(parsed) || allowInsecure))
      throw refused(app, `discovery over ${parsed.protocol} on a non-loopback host is not trusted`)
    try {
      return await http.send(
        new Request(url, { headers: { accept: 'application/xrds+xml, text/html;q=0.5' } }),
        'discovery',
      )
    } catch (error) {
      if (isOAuthKitError(error, ErrorCode.HTTP_ERROR)) throw refused(app, error.message)
      throw error
    }
  }
  let response = await get(withoutFragment(claimedId))
  const isXrds = (r: Response) =>
    /application\/xrds\+xml/i.test(r.headers.get('content-type') ?? '')
  const location = response.headers.get('x-xrds-location')
  if (!isXrds(response) && location !== null && URL.canParse(location, response.url || claimedId)) {
    const html = response
    response = await get(new URL(location, html.url || claimedId).href)
    if (!response.ok) response = html
  }
  if (!response.ok) throw refused(app, `its discovery answered HTTP ${response.status}`)
  const text = await response.text()
  return isXrds(response) ? parseXrds(text) : parseHtml(text)
}
