/**
 * A provider that misbehaves on demand, and a rig that signs in through it the way an app does
 * (`authorizeRedirect` → provider → `authorizeAccessToken` → `userinfo`). Built on {@link FakeIdp}: msw,
 * keys and tokens minted with jose, every call recorded.
 *
 * `expectRefused` checks every refused case the same way: a typed error with its code, exactly the
 * endpoints expected after the fault and no other (no token request after a bad authorization response,
 * no userinfo call after a bad ID token), no `updateToken`, and the transaction cookie deleted.
 */
import * as jose from 'jose'
import type { SetupServer } from 'msw/node'
import { expect } from 'vitest'
import {
  MemoryCookieJar,
  OAuth,
  type OAuth2AppConfig,
  type OAuth2Token,
  type OAuthKitError,
  type OAuthOptions,
} from '../../src/index.js'
import { FakeIdp, type FakeIdpOptions } from './fake-idp.js'
import { REDIRECT, SECRET, expectCode } from './helpers.js'
import { expectNoCredentials } from './secrets.js'

export class HostileIdp extends FakeIdp {
  static override async create(options: FakeIdpOptions = {}): Promise<HostileIdp> {
    const idp = new HostileIdp(options)
    await idp.addKey('key-1', 'RS256')
    return idp
  }

  /**
   * Answer the code exchange with a normal token response changed by `edit`, which gets the login's
   * nonce (a member set to `undefined` is left out). Other grants get the normal answer.
   */
  answerToken(
    edit: (login: {
      nonce: string | undefined
    }) => Record<string, unknown> | Promise<Record<string, unknown>>,
  ): void {
    this.overrides.token = async (request) => {
      const params = new URLSearchParams(await request.text())
      if (params.get('grant_type') !== 'authorization_code') return undefined
      const nonce = this.codes.get(params.get('code') ?? '')?.nonce
      const normal = {
        access_token: `at-${crypto.randomUUID()}`,
        token_type: 'Bearer',
        expires_in: 3600,
        id_token: await this.idToken({ nonce }),
      }
      return Response.json({ ...normal, ...(await edit({ nonce })) })
    }
  }

  /** Answer refresh requests with `body` (the code exchange is answered normally). */
  answerRefresh(body: () => Record<string, unknown> | Promise<Record<string, unknown>>): void {
    this.overrides.token = async (request) => {
      const params = new URLSearchParams(await request.text())
      return params.get('grant_type') === 'refresh_token' ? Response.json(await body()) : undefined
    }
  }

  /** Replace the whole key set with one new key: the old keys are no longer published. */
  async rotateKeys(kid: string, alg = 'RS256'): Promise<void> {
    this.keys = []
    await this.addKey(kid, alg)
  }
}

/** The same JWS with one bit of its signature flipped. */
export function tamperSignature(jws: string): string {
  const [header, payload, signature] = jws.split('.') as [string, string, string]
  const bytes = jose.base64url.decode(signature)
  bytes[0] = (bytes[0] ?? 0) ^ 1
  return `${header}.${payload}.${jose.base64url.encode(bytes)}`
}

/** One login in flight in one browser. */
export interface Login {
  /** The browser's cookies. */
  cookies: MemoryCookieJar
  /** The authorization request the app redirected to. */
  location: URL
  state: string
  nonce: string | undefined
  /** The name of this login's transaction cookie. */
  txCookie: string
}

export interface RigOptions {
  idp?: FakeIdpOptions
  config?: Partial<OAuth2AppConfig>
  registry?: Partial<OAuthOptions>
}

export type Rig = Awaited<ReturnType<typeof hostileRig>>

/** A hostile provider on `server` and an app `idp` registered with it, saving tokens to `updates`. */
export async function hostileRig(server: SetupServer, options: RigOptions = {}) {
  const idp = await HostileIdp.create(options.idp)
  server.use(...idp.handlers())
  const updates: OAuth2Token[] = []
  const oauth = new OAuth({
    secret: SECRET,
    updateToken: (_n, token: OAuth2Token) => void updates.push(token),
    ...options.registry,
  }).register('idp', {
    serverMetadataUrl: idp.discoveryUrl,
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    scope: 'openid email',
    ...options.config,
  } satisfies OAuth2AppConfig)
  const app = oauth.create('idp')

  /** Start a login in `cookies` (a new browser by default). */
  async function start(
    startOptions: { cookies?: MemoryCookieJar; returnTo?: string } = {},
  ): Promise<Login> {
    const cookies = startOptions.cookies ?? new MemoryCookieJar()
    const before = new Set(cookies.getAll().map((c) => c.name))
    const response = await app.authorizeRedirect(
      { cookies },
      REDIRECT,
      startOptions.returnTo === undefined ? {} : { returnTo: startOptions.returnTo },
    )
    const location = new URL(response.headers.get('location')!)
    const txCookie = cookies
      .getAll()
      .find((c) => !before.has(c.name) && /^(__Host-)?oauthkit\.tx\./.test(c.name))!.name
    return {
      cookies,
      location,
      state: location.searchParams.get('state')!,
      nonce: location.searchParams.get('nonce') ?? undefined,
      txCookie,
    }
  }

  /** What an app does on its callback route: finish the login, then read the user's profile. */
  async function signIn(
    login: Login,
    callback: URL,
    cookies = login.cookies,
  ): Promise<OAuth2Token> {
    const token = await app.authorizeAccessToken({ cookies, request: new Request(callback) })
    await app.userinfo(token)
    return token
  }

  /**
   * Run `attempt` and check it is refused: typed error `code`, exactly `calls` made to the provider
   * meanwhile, no `updateToken`, and the login's transaction cookie deleted (or, with `transaction:
   * 'kept'`, left alone because the response named no transaction of this browser).
   */
  async function expectRefused(
    attempt: () => Promise<unknown>,
    code: string,
    check: { login?: Login; calls: string[]; transaction?: 'deleted' | 'kept' },
  ): Promise<OAuthKitError> {
    const callsBefore = idp.calls.length
    const updatesBefore = updates.length
    const err = await expectCode(attempt(), code)
    expectNoCredentials(err, `the ${code} error`)
    expect(
      idp.calls.slice(callsBefore).map((c) => c.endpoint),
      'provider endpoints called after the fault',
    ).toEqual(check.calls)
    expect(updates.length, 'updateToken must not be called').toBe(updatesBefore)
    if (check.login) {
      const { cookies, txCookie } = check.login
      if ((check.transaction ?? 'deleted') === 'deleted') {
        expect(cookies.get(txCookie), 'the transaction must be gone').toBeUndefined()
        expect(
          cookies
            .setCookieHeaders()
            .some((h) => h.startsWith(`${txCookie}=;`) && h.includes('Max-Age=0')),
          'its cookie must be deleted',
        ).toBe(true)
      } else {
        expect(
          cookies.get(txCookie),
          'a transaction the response did not name is left alone',
        ).toBeDefined()
      }
    }
    return err
  }

  return { idp, oauth, app, updates, start, signIn, expectRefused }
}
