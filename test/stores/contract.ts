/**
 * One contract every TokenStore passes on its real server: round trip, isolation per user and per app,
 * overwrite, delete, deleteUser, missing → undefined, nothing readable at rest, wrong secret → a typed
 * error, secret rotation, and a registry that refreshes a token writes the new one back.
 */
import { randomUUID } from 'node:crypto'
import { http, HttpResponse } from 'msw'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  OAuth,
  SealedTokenStore,
  type AppToken,
  type OAuth2Token,
  type TokenStore,
} from '../../src/index.js'
import { expectCode, SECRET, useMsw } from '../support/helpers.js'

/** A store on its server, and the stored value as the server holds it (row, hash field). */
export interface StoreUnderTest {
  store: TokenStore
  /** The raw stored value of `userId` and `app`, read past the store (SQL, HGET, the map). */
  raw(userId: string, app: string): Promise<string | undefined>
}

const OTHER_SECRET = 'another-test-secret-at-least-32-characters-long'
const TOKEN_URL = 'https://idp.test/token'
const API = 'https://api.test'

const now = () => Math.floor(Date.now() / 1000)
const token = (tag: string): OAuth2Token => ({
  access_token: `at-${tag}-${randomUUID()}`,
  refresh_token: `rt-${tag}-${randomUUID()}`,
  token_type: 'Bearer',
  expires_at: now() + 3600,
})

export function tokenStoreContract(
  name: string,
  start: () => Promise<StoreUnderTest> | StoreUnderTest,
): void {
  const server = useMsw()
  describe(`${name} token store contract`, () => {
    let subject: StoreUnderTest
    let tokens: SealedTokenStore
    beforeAll(async () => {
      subject = await start()
      tokens = new SealedTokenStore(subject.store, SECRET)
    })
    // Each test has its own users, so one store serves them all.
    const user = () => `user-${randomUUID()}`

    it('gives back what was set, and undefined for what never was', async () => {
      const [u, t] = [user(), token('a')]
      await tokens.set(u, 'github', t)
      expect(await tokens.get(u, 'github')).toEqual(t)
      expect(await tokens.get(u, 'gitlab')).toBeUndefined()
      expect(await tokens.get(user(), 'github')).toBeUndefined()
      expect(await subject.store.get(user(), 'github')).toBeUndefined()
    })

    it('keeps OAuth 1 tokens, and a numeric user id as its string', async () => {
      const oauth1: AppToken = { oauth_token: `ot-${randomUUID()}`, oauth_token_secret: 'ots' }
      const id = Math.floor(Math.random() * 1e9)
      await tokens.set(id, 'twitter', oauth1)
      expect(await tokens.get(String(id), 'twitter')).toEqual(oauth1)
    })

    it('keeps users and apps apart', async () => {
      const [a, b] = [user(), user()]
      const [ta, tb, ta2] = [token('a'), token('b'), token('a2')]
      await tokens.set(a, 'github', ta)
      await tokens.set(b, 'github', tb)
      await tokens.set(a, 'google', ta2)
      expect(await tokens.get(a, 'github')).toEqual(ta)
      expect(await tokens.get(b, 'github')).toEqual(tb)
      expect(await tokens.get(a, 'google')).toEqual(ta2)
    })

    it('overwrites', async () => {
      const [u, t1, t2] = [user(), token('1'), token('2')]
      await tokens.set(u, 'github', t1)
      await tokens.set(u, 'github', t2)
      expect(await tokens.get(u, 'github')).toEqual(t2)
    })

    it('deletes one app of one user, and every app of one user', async () => {
      const [a, b] = [user(), user()]
      for (const app of ['github', 'google']) {
        await tokens.set(a, app, token(app))
        await tokens.set(b, app, token(app))
      }
      await tokens.delete(a, 'github')
      expect(await tokens.get(a, 'github')).toBeUndefined()
      expect(await tokens.get(a, 'google')).toBeDefined()
      await tokens.delete(a, 'never-set') // no error
      await tokens.deleteUser(a)
      expect(await tokens.get(a, 'google')).toBeUndefined()
      expect(await tokens.get(b, 'github')).toBeDefined()
      expect(await tokens.get(b, 'google')).toBeDefined()
      await tokens.deleteUser(user()) // no error
    })

    it('holds no plaintext token at rest: the server has a sealed string only', async () => {
      const [u, t] = [user(), token('secret')]
      await tokens.set(u, 'github', t)
      const raw = await subject.raw(u, 'github')
      expect(raw).toMatch(/^Fe26\.2\*/)
      for (const part of [t.access_token, t.refresh_token!, 'at-secret', 'rt-secret'])
        expect(raw).not.toContain(part)
    })

    it('refuses a token sealed with another secret, or moved to another user: token_store_invalid', async () => {
      const [u, v, t] = [user(), user(), token('x')]
      await new SealedTokenStore(subject.store, OTHER_SECRET).set(u, 'github', t)
      const err = await expectCode(tokens.get(u, 'github'), 'token_store_invalid')
      expect(err.message).toMatch(/secret/)
      expect(err.app).toBe('github')
      // A row copied to another user (or app) by whoever can write the database does not unseal there.
      await tokens.set(u, 'github', t)
      await subject.store.set(v, 'github', (await subject.store.get(u, 'github'))!)
      await subject.store.set(u, 'google', (await subject.store.get(u, 'github'))!)
      await expectCode(tokens.get(v, 'github'), 'token_store_invalid')
      await expectCode(tokens.get(u, 'google'), 'token_store_invalid')
      await subject.store.set(u, 'github', 'not a seal')
      await expectCode(tokens.get(u, 'github'), 'token_store_invalid')
    })

    it('rotates secrets: a new id seals, old ids still unseal, a dropped id does not', async () => {
      const [u, w, t] = [user(), user(), token('r')]
      const old = new SealedTokenStore(subject.store, { 1: SECRET })
      const rotated = new SealedTokenStore(subject.store, { 1: SECRET, 2: OTHER_SECRET })
      await old.set(u, 'github', t)
      expect(await rotated.get(u, 'github')).toEqual(t)
      await rotated.set(w, 'github', t)
      expect(await subject.raw(w, 'github')).toMatch(/^Fe26\.2\*2\*/)
      await expectCode(old.get(w, 'github'), 'token_store_invalid')
      await expectCode(
        new SealedTokenStore(subject.store, { 2: OTHER_SECRET }).get(u, 'github'),
        'token_store_invalid',
      )
    })

    it('new OAuth({ store, secret }): an API call refreshes the expired token and writes the new one back', async () => {
      let refreshes = 0
      server.use(
        http.post(TOKEN_URL, async ({ request }) => {
          refreshes++
          const body = new URLSearchParams(await request.text())
          expect(body.get('grant_type')).toBe('refresh_token')
          return HttpResponse.json({
            access_token: `at-fresh-${refreshes}-${randomUUID()}`,
            refresh_token: `rt-fresh-${refreshes}-${randomUUID()}`,
            token_type: 'Bearer',
            expires_in: 3600,
          })
        }),
        http.get(`${API}/me`, ({ request }) =>
          HttpResponse.json({ auth: request.headers.get('authorization') }),
        ),
      )
      const oauth = new OAuth({ store: subject.store, secret: SECRET }).register('api', {
        clientId: 'c',
        clientSecret: 's',
        authorizeUrl: 'https://idp.test/authorize',
        accessTokenUrl: TOKEN_URL,
        apiBaseUrl: API,
      })
      const u = user()
      const expired = { ...token('old'), expires_at: now() - 10 }
      await oauth.tokens!.set(u, 'api', expired)
      const app = oauth.create('api')
      const answer = (await app.get('me', { ctx: { userId: u } }).json()) as { auth: string }
      expect(refreshes).toBe(1)
      const stored = (await oauth.tokens!.get(u, 'api')) as OAuth2Token
      expect(stored.refresh_token).toMatch(/^rt-fresh-1-/)
      expect(answer.auth).toBe(`Bearer ${stored.access_token}`)
      expect(await subject.raw(u, 'api')).not.toContain(stored.access_token)
      // The next call uses the stored token: no second refresh.
      await app.get('me', { ctx: { userId: u } })
      expect(refreshes).toBe(1)
      // A refreshed token with no ctx.userId to store it under is refused, not dropped.
      const another = { ...token('other'), expires_at: now() - 10 }
      const err = await expectCode(app.get('me', { token: another }), 'config_invalid')
      expect(refreshes).toBe(2)
      expect(err.message).toMatch(/ctx\.userId/)
      expect(err.message).toMatch(/context/)
      // Without ctx.userId there is no stored token to read.
      await expectCode(app.get('me'), 'token_missing')
    })
  })
}
