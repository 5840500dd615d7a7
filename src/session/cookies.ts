/**
 * The tiny cookie interface the core speaks, and an in-memory jar for scripts and tests.
 *
 * The shape is SvelteKit's `event.cookies` and Next.js's `cookies()`: each integration passes its
 * framework's own object, or a few lines mapping to it.
 *
 * @module
 */

/** Options for {@link CookieStore.set} and {@link CookieStore.delete}. @group Cookies */
export interface CookieOptions {
  path?: string
  domain?: string
  /** Lifetime in seconds. */
  maxAge?: number
  expires?: Date
  httpOnly?: boolean
  secure?: boolean
  sameSite?: 'lax' | 'strict' | 'none'
}

/**
 * What the core needs from a framework's cookies.
 *
 * `getAll` is optional; when present the core uses it to prune expired transaction cookies and to
 * bound how many logins can be in flight at once.
 *
 * @group Cookies
 */
export interface CookieStore {
  get(name: string): string | undefined
  set(name: string, value: string, options: CookieOptions): void
  delete(name: string, options: CookieOptions): void
  getAll?(): Array<{ name: string; value: string }>
}

/**
 * A cookie store held in memory: for scripts, tests, and servers that bridge cookies themselves.
 *
 * It can read a request's `Cookie` header ({@link MemoryCookieJar.fromRequest}) and write the
 * changes as `Set-Cookie` headers ({@link MemoryCookieJar.setCookieHeaders}).
 *
 * @example
 * ```ts
 * const cookies = new MemoryCookieJar()
 * const res = await oauth.create('corp').authorizeRedirect({ cookies }, 'http://127.0.0.1:3000/cb')
 * ```
 * @group Cookies
 */
export class MemoryCookieJar implements CookieStore {
  readonly #values = new Map<string, string>()
  readonly #changes = new Map<string, { value: string; options: CookieOptions }>()

  /** A jar holding the cookies of `request`'s `Cookie` header. */
  static fromRequest(request: Request): MemoryCookieJar {
    const jar = new MemoryCookieJar()
    for (const [name, value] of parseCookieHeader(request.headers.get('cookie')))
      jar.#values.set(name, value)
    return jar
  }

  get(name: string): string | undefined {
    return this.#values.get(name)
  }

  set(name: string, value: string, options: CookieOptions = {}): void {
    this.#values.set(name, value)
    this.#changes.set(name, { value, options })
  }

  delete(name: string, options: CookieOptions = {}): void {
    this.#values.delete(name)
    this.#changes.set(name, { value: '', options: { ...options, maxAge: 0, expires: new Date(0) } })
  }

  getAll(): Array<{ name: string; value: string }> {
    return [...this.#values].map(([name, value]) => ({ name, value }))
  }

  /** The `Set-Cookie` header values for every `set` and `delete` since the jar was made. */
  setCookieHeaders(): string[] {
    return [...this.#changes].map(([name, { value, options }]) =>
      serializeCookie(name, value, options),
    )
  }

  /** Append this jar's changes to `headers` as `Set-Cookie` headers. */
  applyTo(headers: Headers): void {
    for (const value of this.setCookieHeaders()) headers.append('set-cookie', value)
  }
}

/** Parse a `Cookie` request header into name/value pairs (first occurrence wins). @group Cookies */
export function parseCookieHeader(header: string | null | undefined): Map<string, string> {
  const out = new Map<string, string>()
  if (!header) return out
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq === -1) continue
    const name = part.slice(0, eq).trim()
    if (!name || out.has(name)) continue
    let value = part.slice(eq + 1).trim()
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1)
    try {
      out.set(name, decodeURIComponent(value))
    } catch {
      out.set(name, value)
    }
  }
  return out
}

/** Serialise one `Set-Cookie` header value (RFC 6265 §4.1). @group Cookies */
export function serializeCookie(name: string, value: string, options: CookieOptions = {}): string {
  let out = `${name}=${encodeURIComponent(value)}`
  if (options.maxAge !== undefined) out += `; Max-Age=${Math.floor(options.maxAge)}`
  if (options.expires) out += `; Expires=${options.expires.toUTCString()}`
  if (options.domain) out += `; Domain=${options.domain}`
  out += `; Path=${options.path ?? '/'}`
  if (options.httpOnly) out += '; HttpOnly'
  if (options.secure) out += '; Secure'
  if (options.sameSite)
    out += `; SameSite=${options.sameSite[0]!.toUpperCase()}${options.sameSite.slice(1)}`
  return out
}

/**
 * A {@link CookieStore} over a request's `Cookie` header that hands each change to `append` as a
 * `Set-Cookie` value: what a server without a cookie API of its own needs (Node's `http`, Express).
 *
 * @group Cookies
 */
export function headerCookieStore(
  header: string | null | undefined,
  append: (setCookie: string) => void,
): CookieStore {
  const values = parseCookieHeader(header)
  return {
    get: (name) => values.get(name),
    getAll: () => [...values].map(([name, value]) => ({ name, value })),
    set: (name, value, options) =>
      void (values.set(name, value), append(serializeCookie(name, value, options))),
    delete: (name, options) =>
      void (
        values.delete(name),
        append(serializeCookie(name, '', { ...options, maxAge: 0, expires: new Date(0) }))
      ),
  }
}
