/**
 * A browser's cookie store, small but with the rules cookie tossing runs into (RFC 6265bis §5.7):
 * a page may set `Domain=` cookies for its parent domain (a sibling subdomain reaches the app), a
 * non-secure (http) page can neither set a `Secure` cookie nor shadow one, and a `__Host-` name is
 * refused unless it is `Secure`, `Path=/` and host-only (`__Secure-` needs `Secure`).
 *
 * Domain cookies and host-only cookies are kept apart, as Chrome keys them (`.app.test` vs `app.test`).
 */
import { MemoryCookieJar } from '../../src/index.js'

export interface StoredCookie {
  name: string
  value: string
  /** The host (host-only) or the domain (Domain attribute), lower-case, without a leading dot. */
  domain: string
  hostOnly: boolean
  path: string
  secure: boolean
  httpOnly: boolean
  /** Milliseconds since the epoch; absent for a session cookie. */
  expires?: number
  created: number
}

let clock = 0

export class CookieBrowser {
  readonly cookies: StoredCookie[] = []
  /** Every `Set-Cookie` the browser refused, with why. */
  readonly refused: Array<{ header: string; reason: string }> = []

  /** Store a `Set-Cookie` received from `url` (a response, or a script on that page); false when refused. */
  receive(url: string | URL, header: string): boolean {
    const page = new URL(url)
    const host = page.hostname.toLowerCase()
    const secureOrigin = page.protocol === 'https:'
    const [pair = '', ...attributes] = header.split(';')
    const eq = pair.indexOf('=')
    if (eq < 1) return this.#refuse(header, 'no name')
    const cookie: StoredCookie = {
      name: pair.slice(0, eq).trim(),
      value: pair.slice(eq + 1).trim(),
      domain: host,
      hostOnly: true,
      path: defaultPath(page),
      secure: false,
      httpOnly: false,
      created: clock++,
    }
    for (const attribute of attributes) {
      const [key = '', ...rest] = attribute.split('=')
      const value = rest.join('=').trim()
      switch (key.trim().toLowerCase()) {
        case 'domain': {
          const domain = value.replace(/^\./, '').toLowerCase()
          if (domain !== host && !host.endsWith(`.${domain}`))
            return this.#refuse(header, 'Domain does not cover the page')
          cookie.domain = domain
          cookie.hostOnly = false
          break
        }
        case 'path':
          cookie.path = value.startsWith('/') ? value : defaultPath(page)
          break
        case 'max-age':
          cookie.expires = Date.now() + Number(value) * 1000
          break
        case 'expires':
          cookie.expires ??= Date.parse(value)
          break
        case 'secure':
          cookie.secure = true
          break
        case 'httponly':
          cookie.httpOnly = true
          break
      }
    }
    if (cookie.secure && !secureOrigin) return this.#refuse(header, 'Secure from a non-secure page')
    if (/^__Secure-/i.test(cookie.name) && !cookie.secure)
      return this.#refuse(header, '__Secure- without Secure')
    if (/^__Host-/i.test(cookie.name) && !(cookie.secure && cookie.hostOnly && cookie.path === '/'))
      return this.#refuse(header, '__Host- needs Secure, Path=/ and no Domain')
    // "Leave secure cookies alone": an http page cannot shadow a Secure cookie of the same name.
    if (
      !secureOrigin &&
      this.cookies.some(
        (c) =>
          c.secure &&
          c.name === cookie.name &&
          (domainMatch(c.domain, cookie.domain) || domainMatch(cookie.domain, c.domain)) &&
          pathMatch(c.path, cookie.path),
      )
    ) {
      return this.#refuse(header, 'would shadow a Secure cookie')
    }
    const same = this.cookies.findIndex(
      (c) =>
        c.name === cookie.name &&
        c.domain === cookie.domain &&
        c.hostOnly === cookie.hostOnly &&
        c.path === cookie.path,
    )
    if (same !== -1) cookie.created = this.cookies.splice(same, 1)[0]!.created
    if (cookie.expires === undefined || cookie.expires > Date.now()) this.cookies.push(cookie)
    return true
  }

  /** The cookies a request to `url` carries, in the order browsers send them (longest path first). */
  sent(url: string | URL): StoredCookie[] {
    const target = new URL(url)
    const host = target.hostname.toLowerCase()
    return this.cookies
      .filter(
        (c) =>
          (c.expires === undefined || c.expires > Date.now()) &&
          (c.hostOnly ? c.domain === host : domainMatch(host, c.domain)),
      )
      .filter(
        (c) => pathMatch(target.pathname, c.path) && (!c.secure || target.protocol === 'https:'),
      )
      .sort((a, b) => b.path.length - a.path.length || a.created - b.created)
  }

  /** The `Cookie` header of a request to `url` (empty when no cookie applies). */
  cookieHeader(url: string | URL): string {
    return this.sent(url)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ')
  }

  /** A request to `url` as this browser sends it. */
  request(url: string | URL, init: RequestInit = {}): Request {
    const headers = new Headers(init.headers)
    const cookie = this.cookieHeader(url)
    if (cookie) headers.set('cookie', cookie)
    return new Request(url, { ...init, headers })
  }

  /** The app's view of a request to `url`: a jar of the cookies sent. Pass it back to {@link CookieBrowser.store}. */
  jar(url: string | URL): MemoryCookieJar {
    return MemoryCookieJar.fromRequest(this.request(url))
  }

  /** Store every `Set-Cookie` of `jar` (or of a response) as received from `url`. */
  store(url: string | URL, from: MemoryCookieJar | Response): void {
    const headers = from instanceof Response ? from.headers.getSetCookie() : from.setCookieHeaders()
    for (const header of headers) this.receive(url, header)
  }

  #refuse(header: string, reason: string): false {
    this.refused.push({ header, reason })
    return false
  }
}

/** `host` is `domain` or one of its subdomains (RFC 6265 §5.1.3). */
function domainMatch(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`)
}

/** RFC 6265 §5.1.4. */
function pathMatch(requestPath: string, cookiePath: string): boolean {
  return (
    requestPath === cookiePath ||
    (requestPath.startsWith(cookiePath) &&
      (cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/'))
  )
}

/** RFC 6265 §5.1.4: the directory of the page's path. */
function defaultPath(page: URL): string {
  const path = page.pathname
  return !path.startsWith('/') || path.lastIndexOf('/') === 0
    ? '/'
    : path.slice(0, path.lastIndexOf('/'))
}
