/**
 * The scripted browser behind `authorize()` and `approveDevice()`: fetch with `redirect: 'manual'`,
 * a path-aware cookie jar for the provider's origin, and the form parsing it needs.
 *
 * @module
 */
import { unescapeHtml } from './html.js'
import type { DevAccount } from './types.js'

export class ScriptedBrowser {
  private readonly cookies = new Map<string, { name: string; value: string; path: string }>()
  private readonly origin: string

  constructor(
    issuer: string,
    private readonly account: DevAccount,
    private readonly deny: boolean,
  ) {
    this.origin = new URL(issuer).origin
  }

  async fetch(url: URL, form?: URLSearchParams): Promise<Response> {
    const cookie = [...this.cookies.values()]
      .filter(
        (c) =>
          url.pathname === c.path ||
          url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`),
      )
      .map((c) => `${c.name}=${c.value}`)
      .join('; ')
    const headers: Record<string, string> = { accept: 'text/html' }
    if (cookie) headers.cookie = cookie
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded'
    const response = await fetch(url, {
      method: form ? 'POST' : 'GET',
      body: form,
      headers,
      redirect: 'manual',
    })
    for (const line of response.headers.getSetCookie()) this.store(line)
    return response
  }

  /**
   * Request `url`, then follow same-origin redirects and answer login pages until the provider answers with
   * something else. A redirect off the provider's origin (the client's redirect_uri) is returned as `url` without
   * `html`, not followed; any other final response is returned with its body as `html`.
   */
  async run(
    start: URL,
    form?: URLSearchParams,
  ): Promise<{ status: number; url: URL; html?: string }> {
    let url = start
    let body = form
    for (let hop = 0; hop < 20; hop++) {
      const response = await this.fetch(url, body)
      body = undefined
      const location = response.headers.get('location')
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel()
        const next = new URL(location, url)
        if (next.origin !== this.origin) return { status: response.status, url: next }
        url = next
        continue
      }
      const html = await response.text()
      const interaction = /^\/interaction\/([\w-]+)$/.exec(url.pathname)
      if (interaction && response.status === 200 && html.includes('id="login-form"')) {
        // Our login page: "click" Sign in or Cancel.
        url = new URL(
          `/interaction/${interaction[1]}/${this.deny ? 'abort' : 'login'}`,
          this.origin,
        )
        body = new URLSearchParams({
          login: this.account.sub,
          password: this.account.password ?? '',
        })
        continue
      }
      return { status: response.status, url, html }
    }
    throw new Error(`scripted browser: too many redirects from ${start.href}`)
  }

  private store(setCookie: string): void {
    const [pair = '', ...attributes] = setCookie.split(';').map((part) => part.trim())
    const eq = pair.indexOf('=')
    const name = pair.slice(0, eq)
    const value = pair.slice(eq + 1)
    let path = '/'
    let expired = value === ''
    for (const attribute of attributes) {
      const [key = '', val = ''] = attribute.split('=')
      if (key.toLowerCase() === 'path') path = val || '/'
      if (key.toLowerCase() === 'expires' && Date.parse(val) <= Date.now()) expired = true
      if (key.toLowerCase() === 'max-age' && Number(val) <= 0) expired = true
    }
    const key = `${name};${path}`
    if (expired) this.cookies.delete(key)
    else this.cookies.set(key, { name, value, path })
  }
}

/** Parse the first <form> of a page: its action and the (hidden or visible) inputs' name/value pairs. */
export function parseForm(html: string): { action: string; fields: URLSearchParams } | undefined {
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html)
  if (!form) return undefined
  const action = unescapeHtml(/\baction="([^"]*)"/i.exec(form[1] ?? '')?.[1] ?? '')
  const fields = new URLSearchParams()
  for (const [input] of (form[2] ?? '').matchAll(/<input\b[^>]*>/gi)) {
    const name = /\bname="([^"]*)"/i.exec(input)?.[1]
    if (name !== undefined)
      fields.append(unescapeHtml(name), unescapeHtml(/\bvalue="([^"]*)"/i.exec(input)?.[1] ?? ''))
  }
  return { action, fields }
}

/** A page's text, shortened, for an error message. */
export function summarize(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300)
}
