/**
 * The signed-in user's session: one sealed cookie (iron, the registry's secret) holding who signed in
 * (the app's user id and the app they signed in with), never a token. The integrations read it to know
 * the user and put its id into the token context (`ctx.userId`), so API calls find the user's tokens.
 *
 * @module
 */
import { sealData, unsealData } from 'iron-session'
import { ErrorCode, OAuthKitError } from '../errors/error.js'
import { isLoopback } from '../http/loopback.js'
import type { CookieOptions, CookieStore } from './cookies.js'

/** Options of the user session, given as `new OAuth({ session })`. @group Sessions */
export interface UserSessionOptions {
  /**
   * The cookie's name (default `oauthkit.session`). On https it gets the `__Host-` prefix (Secure, no
   * `Domain`, `Path=/`), so a sibling subdomain or a plain-http page cannot plant a session.
   */
  cookieName?: string
  /** Seconds a session lasts from sign-in (default 14 days); the sealed value expires with it. */
  maxAge?: number
}

/** What a session holds: who signed in, and whatever small values the app adds. @group Sessions */
export type SessionData<Extra extends object = Record<string, unknown>> = Extra & {
  /** The app's own id of the signed-in user: the key of the user's tokens (`ctx.userId`). */
  userId: string | number
  /** The registered app the user signed in with. */
  app?: string
  /** When the user signed in, in seconds since the epoch. */
  signedInAt?: number
}

const DEFAULT_NAME = 'oauthkit.session'
const DEFAULT_MAX_AGE = 14 * 24 * 3600
/** A cookie over 4096 bytes is dropped by browsers (RFC 6265 §6.1); refuse it rather than lose the session. */
const MAX_COOKIE = 4000

/**
 * The user session of one request: read, write and destroy the sealed cookie. An integration makes it
 * (`oauth.session(cookies, origin)`) and puts it in the request context as `ctx.session`; `onSuccess`
 * gets it as `session`.
 *
 * A cookie that does not unseal (another secret, tampered with, expired) reads as signed out.
 *
 * @typeParam Extra - the app's own fields besides `userId` (keep them small: the cookie holds at most 4 KB).
 * @group Sessions
 */
export class UserSession<Extra extends object = Record<string, unknown>> {
  readonly #cookies: CookieStore
  readonly #password: () => string | Record<string, string>
  readonly #name: string
  readonly #secure: boolean
  readonly #maxAge: number
  #data?: Promise<SessionData<Extra> | undefined>

  /**
   * @param cookies - the request's cookies.
   * @param password - the registry's secret (at least 32 characters, or `{ id: password }` to rotate:
   *   the highest id seals, every id unseals); a function so a registry's lazy fallback secret works.
   * @param origin - the app's public origin: https (or http on a non-loopback host) gets a Secure
   *   `__Host-` cookie; only http on a loopback host (development) gets a plain one.
   */
  constructor(
    cookies: CookieStore,
    password: () => string | Record<string, string>,
    origin: string | URL,
    options: UserSessionOptions = {},
  ) {
    const name = options.cookieName ?? DEFAULT_NAME
    if (!/^[\w.-]+$/.test(name) || /^__(host|secure)-/i.test(name))
      throw new OAuthKitError(
        ErrorCode.CONFIG_INVALID,
        'OAuth: session.cookieName must be letters, digits, ".", "_" or "-" (the __Host- prefix is added on https)',
      )
    const maxAge = options.maxAge ?? DEFAULT_MAX_AGE
    if (!Number.isInteger(maxAge) || maxAge <= 0)
      throw new OAuthKitError(
        ErrorCode.CONFIG_INVALID,
        'OAuth: session.maxAge must be a positive whole number of seconds',
      )
    const url = new URL(origin)
    this.#secure = !(url.protocol === 'http:' && isLoopback(url))
    this.#name = this.#secure ? `__Host-${name}` : name
    this.#cookies = cookies
    this.#password = password
    this.#maxAge = maxAge
  }

  /** The cookie's name, with its `__Host-` prefix when it has one. */
  get cookieName(): string {
    return this.#name
  }

  /** The session, or `undefined` when nobody is signed in (no cookie, or one that does not unseal). */
  get(): Promise<SessionData<Extra> | undefined> {
    this.#data ??= this.#read()
    return this.#data
  }

  /** The signed-in user's id, or `undefined`. */
  async userId(): Promise<string | number | undefined> {
    return (await this.get())?.userId
  }

  /**
   * Sign `data.userId` in: seal `data` into the cookie (HttpOnly, SameSite=Lax, Path=/, Secure and
   * `__Host-` on https), replacing any session. Throws `invalid_request` for a missing user id or a
   * session too large for a cookie.
   */
  async set(data: SessionData<Extra>): Promise<void> {
    const id = data?.userId
    if (!((typeof id === 'string' && id !== '') || (typeof id === 'number' && Number.isFinite(id))))
      throw new OAuthKitError(
        ErrorCode.INVALID_REQUEST,
        'session: userId must be a non-empty string or a finite number',
      )
    const value: SessionData<Extra> = { signedInAt: Math.floor(Date.now() / 1000), ...data }
    const sealed = await sealData(value, { password: this.#password(), ttl: this.#maxAge })
    if (this.#name.length + sealed.length > MAX_COOKIE)
      throw new OAuthKitError(
        ErrorCode.INVALID_REQUEST,
        `session: the sealed session is over ${MAX_COOKIE} bytes; keep only small values in it`,
      )
    this.#cookies.set(this.#name, sealed, { ...this.#attributes(), maxAge: this.#maxAge })
    this.#data = Promise.resolve(value)
  }

  /** Change some fields of the current session (its user stays); throws `invalid_request` when nobody is signed in. */
  async update(patch: Partial<Extra>): Promise<void> {
    const current = await this.get()
    if (!current) throw new OAuthKitError(ErrorCode.INVALID_REQUEST, 'session: nobody is signed in')
    await this.set({ ...current, ...patch, userId: current.userId })
  }

  /** Sign out: delete the cookie. */
  destroy(): void {
    this.#cookies.delete(this.#name, this.#attributes())
    this.#data = Promise.resolve(undefined)
  }

  #attributes(): CookieOptions {
    return { path: '/', httpOnly: true, secure: this.#secure, sameSite: 'lax' }
  }

  async #read(): Promise<SessionData<Extra> | undefined> {
    const sealed = this.#cookies.get(this.#name)
    if (!sealed) return undefined
    let data: Partial<SessionData<Extra>>
    try {
      data = await unsealData<SessionData<Extra>>(sealed, {
        password: this.#password(),
        ttl: this.#maxAge,
      })
    } catch {
      return undefined
    }
    const id = data.userId
    return (typeof id === 'string' && id !== '') || typeof id === 'number'
      ? (data as SessionData<Extra>)
      : undefined
  }
}
