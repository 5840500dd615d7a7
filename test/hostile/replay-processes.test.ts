/**
 * A login callback replayed, with its cookie, to a second process of the same app, against a
 * provider that (wrongly) accepts an authorization code twice: with RedisReplayGuard the second
 * process refuses it before any token request; with the per-process default it cannot know.
 */
import { execFile } from 'node:child_process'
import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import { MemoryCookieJar, OAuth } from '../../src/index.js'
import { startRedis, type RedisServer } from '../support/redis.js'

const run = promisify(execFile)
const SECRET = 'a-test-secret-that-is-at-least-32-characters'
const CALLBACK = 'http://127.0.0.1:3000/callback'

let redis: RedisServer
let provider: Server
let providerUrl: string
let tokenRequests = 0

beforeAll(async () => {
  redis = await startRedis()
  // A token endpoint that hands a token for any code, as often as asked: the replay reaches it unless refused first.
  provider = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      const n = ++tokenRequests
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ access_token: `at-${n}`, token_type: 'Bearer', expires_in: 3600 }))
    })
  }).listen(0, '127.0.0.1')
  await once(provider, 'listening')
  providerUrl = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`
})

afterAll(async () => {
  await redis?.stop()
  provider?.closeAllConnections()
  await new Promise((r) => provider?.close(r))
})

beforeEach(() => {
  tokenRequests = 0
})

/** A login started in the browser: the callback URL the provider redirects to, and the browser's Cookie header. */
async function startLogin(): Promise<{ url: string; cookie: string }> {
  const oauth = new OAuth({ secret: SECRET }).register('idp', {
    clientId: 'c',
    clientSecret: 's',
    authorizeUrl: `${providerUrl}/authorize`,
    accessTokenUrl: `${providerUrl}/token`,
  })
  const cookies = new MemoryCookieJar()
  const redirect = await oauth.create('idp').authorizeRedirect({ cookies }, CALLBACK)
  const state = new URL(redirect.headers.get('location')!).searchParams.get('state')!
  const cookie = cookies
    .setCookieHeaders()
    .map((header) => header.split(';')[0])
    .join('; ')
  return { url: `${CALLBACK}?code=the-code&state=${state}`, cookie }
}

/** The callback handled by a fresh app process with the given replay guard. */
async function callbackIn(
  guard: 'redis' | 'memory',
  login: { url: string; cookie: string },
): Promise<{ token?: string; code?: string }> {
  const script = fileURLToPath(new URL('../support/callback-worker.ts', import.meta.url))
  const { stdout } = await run(process.execPath, ['--import', 'tsx', script], {
    env: {
      ...process.env,
      GUARD: guard,
      REDIS_PORT: String(redis.port),
      PROVIDER_URL: providerUrl,
      CALLBACK_URL: login.url,
      COOKIE: login.cookie,
    },
  })
  return JSON.parse(stdout.trim().split('\n').at(-1)!)
}

it('replay-cross-process: a callback replayed with its cookie to a second process is refused (RedisReplayGuard)', async () => {
  const login = await startLogin()
  expect(await callbackIn('redis', login)).toEqual({ token: 'at-1' })
  expect(await callbackIn('redis', login)).toEqual({ code: 'transaction_not_found' })
  expect(tokenRequests).toBe(1)
}, 60_000)

it('replay-cross-process-default: with the per-process guard, a second process accepts it if the provider does', async () => {
  const login = await startLogin()
  expect(await callbackIn('memory', login)).toEqual({ token: 'at-1' })
  expect(await callbackIn('memory', login)).toEqual({ token: 'at-2' })
  expect(tokenRequests).toBe(2)
}, 60_000)
