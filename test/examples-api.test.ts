/**
 * examples/api/server.ts run as written: sign in at its dev provider, get the app's own access token
 * for the SPA, call the guarded API with it; without it, or with the provider's ID token, the API
 * refuses.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import * as jose from 'jose'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { freePort } from './support/ports.js'

let example: ChildProcess
let base: string

beforeAll(async () => {
  const port = await freePort()
  base = `http://127.0.0.1:${port}`
  const root = fileURLToPath(new URL('..', import.meta.url))
  example = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=oauthkit-source', 'examples/api/server.ts'],
    { cwd: root, env: { ...process.env, BASE_URL: base }, stdio: ['ignore', 'pipe', 'inherit'] },
  )
  await new Promise<void>((resolve, reject) => {
    example.stdout!.on('data', (c: Buffer) => String(c).includes('Listening') && resolve())
    example.on('exit', (code) => reject(new Error(`example exited with ${code}`)))
  })
})

afterAll(() => {
  example?.kill()
})

/** Play the browser at the dev provider's login form (alice@example.test / pw). */
async function signIn(): Promise<string> {
  const login = await fetch(`${base}/auth/dev/login`, { redirect: 'manual' })
  const tx = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
  let url = login.headers.get('location')!
  let jar = ''
  for (let hop = 0; hop < 10 && !url.startsWith(base); hop++) {
    let res = await fetch(url, { redirect: 'manual', headers: { cookie: jar } })
    jar = [jar, ...res.headers.getSetCookie().map((c) => c.split(';')[0])]
      .filter(Boolean)
      .join('; ')
    if (res.status === 200 && /<form/.test(await res.clone().text())) {
      const html = await res.text()
      const action = /<form[^>]*action="([^"]+)"/.exec(html)![1]!
      const fields = new URLSearchParams({ login: 'alice@example.test', password: 'pw' })
      res = await fetch(new URL(action.replace(/&amp;/g, '&'), url), {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: jar, 'content-type': 'application/x-www-form-urlencoded' },
        body: fields,
      })
      jar = [jar, ...res.headers.getSetCookie().map((c) => c.split(';')[0])].join('; ')
    }
    url = new URL(res.headers.get('location')!, url).href
  }
  const callback = await fetch(url, { redirect: 'manual', headers: { cookie: tx } })
  expect(callback.status).toBe(303)
  return callback.headers
    .getSetCookie()
    .find((c) => c.startsWith('sid='))!
    .split(';')[0]!
}

it('hands the SPA its own access token after login, which the guarded API accepts', async () => {
  const session = await signIn()
  const issued = await fetch(`${base}/auth/token`, { method: 'POST', headers: { cookie: session } })
  expect(issued.status).toBe(200)
  expect(issued.headers.get('cache-control')).toBe('no-store')
  const { access_token, expires_in, token_type } = (await issued.json()) as {
    access_token: string
    expires_in: number
    token_type: string
  }
  expect({ token_type, expires_in }).toEqual({ token_type: 'Bearer', expires_in: 300 })
  expect(jose.decodeProtectedHeader(access_token).typ).toBe('at+jwt')
  expect(jose.decodeJwt(access_token)).toMatchObject({ iss: base, aud: `${base}/api` })

  const notes = await fetch(`${base}/api/notes`, {
    headers: { authorization: `Bearer ${access_token}` },
  })
  expect(notes.status).toBe(200)
  expect(await notes.json()).toEqual({ owner: 'alice', notes: ['Buy milk'] })

  const jwks = (await (await fetch(`${base}/.well-known/jwks.json`)).json()) as jose.JSONWebKeySet
  await expect(
    jose.jwtVerify(access_token, jose.createLocalJWKSet(jwks), { issuer: base }),
  ).resolves.toBeTruthy()
})

it('refuses the API without a token, and gives no token without a session', async () => {
  const bare = await fetch(`${base}/api/notes`)
  expect(bare.status).toBe(401)
  expect(bare.headers.get('www-authenticate')).toBe('Bearer realm="api"')
  expect((await fetch(`${base}/auth/token`, { method: 'POST' })).status).toBe(401)
})
