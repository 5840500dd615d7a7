/**
 * Steam emulation: "Sign in through Steam" (OpenID 2.0 at `steamcommunity.com/openid/login`) and the
 * Web API's `ISteamUser/GetPlayerSummaries/v2`. The login answers a `checkid_setup` with a positive
 * assertion signed by an HMAC-SHA256 over its signed fields (a private association, as Steam uses:
 * no association request is ever made), and `check_authentication` recomputes it and answers
 * `is_valid:true` once per assertion. GetPlayerSummaries wants the Web API key in `key`; a wrong one
 * is a 403 HTML page, as Steam sends.
 *
 * @module
 */
import { http, HttpResponse, type HttpHandler } from 'msw'
import type { EmulatedUser, ProviderEmulation } from '../emulator.js'

const ENDPOINT = 'https://steamcommunity.com/openid/login'
const NS = 'http://specs.openid.net/auth/2.0'
const ID_PREFIX = 'https://steamcommunity.com/openid/id/'

/** The default Steam test user: `id` is a SteamID64. @group Testing */
export const STEAM_TEST_USER: EmulatedUser = {
  id: '76561197960287930',
  name: 'Ada Tester',
  picture: 'https://avatars.steamstatic.test/ada_full.jpg',
}

/** The Web API key the Steam emulation accepts by default. @group Testing */
export const STEAM_TEST_API_KEY = 'STEAMTESTWEBAPIKEY0123456789ABCD'

/** Options of {@link emulateSteam}. @group Testing */
export interface SteamEmulationOptions {
  /** The test users; default {@link STEAM_TEST_USER}. `id` (SteamID64), `name` (persona name), `picture` are read. */
  users?: EmulatedUser[]
  /** The Web API key GetPlayerSummaries accepts; default {@link STEAM_TEST_API_KEY}. */
  apiKey?: string
  /** Users whose accounts are gone: GetPlayerSummaries leaves them out of `players`. */
  deleted?: string[]
}

/** A running Steam emulation. @group Testing */
export interface SteamEmulation extends Pick<ProviderEmulation, 'calls' | 'users' | 'authorize'> {
  readonly name: 'steam'
  readonly handlers: HttpHandler[]
}

function base64(bytes: ArrayBuffer): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)))
}

/**
 * Emulate Steam's OpenID 2.0 provider and GetPlayerSummaries for the `steam` preset.
 *
 * @example
 * ```ts
 * const emulation = emulateSteam()
 * server.use(...emulation.handlers)
 * const app = new OAuth({ secret }).register('steam', steam({ apiKey: STEAM_TEST_API_KEY })).create('steam')
 * const identity = await completeLogin(app, emulation)
 * ```
 * @group Testing
 */
export function emulateSteam(options: SteamEmulationOptions = {}): SteamEmulation {
  const users = options.users ?? [STEAM_TEST_USER]
  const apiKey = options.apiKey ?? STEAM_TEST_API_KEY
  const calls: ProviderEmulation['calls'] = []
  const checked = new Set<string>()
  const key = crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ])
  const signed = (params: URLSearchParams) =>
    (params.get('openid.signed') ?? '')
      .split(',')
      .map((field) => `${field}:${params.get(`openid.${field}`) ?? ''}\n`)
      .join('')
  const record = async (request: Request) =>
    void calls.push({
      url: request.url,
      method: request.method,
      body: await request.clone().text(),
      headers: new Headers(request.headers),
    })
  const find = (login?: string) => {
    const user = login === undefined ? users[0] : users.find((u) => u.id === login)
    if (!user) throw new Error(`steam emulation: no test user ${login}`)
    return user
  }

  const handlers: HttpHandler[] = [
    http.post(ENDPOINT, async ({ request }) => {
      await record(request)
      const body = new URLSearchParams(await request.text())
      const sig = body.get('openid.sig') ?? ''
      let valid =
        body.get('openid.mode') === 'check_authentication' &&
        !checked.has(sig) &&
        (await crypto.subtle
          .verify(
            'HMAC',
            await key,
            Uint8Array.from(atob(sig), (c) => c.charCodeAt(0)),
            new TextEncoder().encode(signed(body)),
          )
          .catch(() => false))
      // A private association's signature is checked once (OpenID 2.0 §11.4.2.1).
      if (valid) checked.add(sig)
      else valid = false
      return new HttpResponse(`ns:${NS}\nis_valid:${valid}\n`, {
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      })
    }),
    http.get(
      'https://api.steampowered.com/ISteamUser/GetPlayerSummaries/v2/',
      async ({ request }) => {
        await record(request)
        const query = new URL(request.url).searchParams
        if (query.get('key') !== apiKey)
          return new HttpResponse(
            '<html><head><title>Forbidden</title></head><body><h1>Forbidden</h1>Access is denied. Retrying will not help. Please verify your <pre>key=</pre> parameter.</body></html>',
            { status: 403, headers: { 'content-type': 'text/html' } },
          )
        const ids = (query.get('steamids') ?? '').split(',')
        const players = users
          .filter((u) => ids.includes(u.id) && !options.deleted?.includes(u.id))
          .map((u) => ({
            steamid: u.id,
            communityvisibilitystate: 3,
            profilestate: 1,
            personaname: u.name ?? u.id,
            profileurl: `https://steamcommunity.com/profiles/${u.id}/`,
            avatar: String(u.picture ?? '').replace('_full', ''),
            avatarmedium: String(u.picture ?? '').replace('_full', '_medium'),
            avatarfull: u.picture ?? '',
            personastate: 1,
          }))
        return HttpResponse.json({ response: { players } })
      },
    ),
  ]

  return {
    name: 'steam',
    handlers,
    users,
    calls,
    async authorize(authorizationUrl, login = {}) {
      const url = new URL(authorizationUrl)
      if (`${url.origin}${url.pathname}` !== ENDPOINT)
        throw new Error(
          `steam emulation: ${url.origin}${url.pathname} is not Steam's OpenID endpoint`,
        )
      const query = url.searchParams
      if (query.get('openid.mode') !== 'checkid_setup' || query.get('openid.ns') !== NS)
        throw new Error('steam emulation: not an OpenID 2.0 checkid_setup request')
      const returnTo = query.get('openid.return_to')
      if (!returnTo) throw new Error('steam emulation: the request has no openid.return_to')
      const callback = new URL(returnTo)
      if (login.deny) {
        callback.searchParams.set('openid.ns', NS)
        callback.searchParams.set('openid.mode', 'cancel')
        return new Request(callback)
      }
      const user = find(login.user)
      const id = `${ID_PREFIX}${user.id}`
      const nonce = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') + crypto.randomUUID()
      const params = new URLSearchParams({
        'openid.ns': NS,
        'openid.mode': 'id_res',
        'openid.op_endpoint': ENDPOINT,
        'openid.claimed_id': id,
        'openid.identity': id,
        'openid.return_to': returnTo,
        'openid.response_nonce': nonce,
        'openid.assoc_handle': '1234567890',
        'openid.signed':
          'signed,op_endpoint,claimed_id,identity,return_to,response_nonce,assoc_handle',
      })
      const sig = await crypto.subtle.sign(
        'HMAC',
        await key,
        new TextEncoder().encode(signed(params)),
      )
      params.set('openid.sig', base64(sig))
      for (const [name, value] of params) callback.searchParams.append(name, value)
      return new Request(callback)
    },
  }
}
