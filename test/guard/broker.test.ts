/**
 * Broker mode: the app's own access tokens (RFC 9068), their keys, key rotation (two keys published,
 * the newest signs, the previous one verifies until it is dropped), and the guard trusting the broker
 * locally or, from another service, through its `/.well-known/jwks.json` on real HTTP (Express).
 */
import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import * as jose from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  BearerGuard,
  TokenBroker,
  generateBrokerKey,
  isOAuthKitError,
  type TokenBrokerOptions,
} from '../../src/index.js'
import { jwksHandler } from '../../integrations/express/index.js'

const APP = 'https://app.example'
const API = 'https://app.example/api'

const broker = (keys: jose.JWK[], extra: Partial<TokenBrokerOptions> = {}) =>
  new TokenBroker({ issuer: APP, audience: API, keys, ...extra })
const guardOf = (b: TokenBroker) => new BearerGuard({ audience: API, issuers: [b] })

let oldKey: jose.JWK
let newKey: jose.JWK
beforeAll(async () => {
  ;[oldKey, newKey] = await Promise.all([generateBrokerKey(), generateBrokerKey('EdDSA')])
})

describe('TokenBroker.issue', () => {
  it('signs an RFC 9068 access token: typ at+jwt, iss, aud, sub, scope, client_id, iat, exp, jti', async () => {
    const b = broker([oldKey])
    const before = Math.floor(Date.now() / 1000)
    const issued = await b.issue({ sub: 'user-1', scope: ['notes:read', 'notes:write'] })
    expect(issued).toMatchObject({
      token_type: 'Bearer',
      expires_in: 300,
      scope: 'notes:read notes:write',
    })
    expect(jose.decodeProtectedHeader(issued.access_token)).toEqual({
      alg: 'ES256',
      kid: oldKey.kid,
      typ: 'at+jwt',
    })
    const claims = jose.decodeJwt(issued.access_token)
    expect(claims).toMatchObject({
      iss: APP,
      aud: API,
      sub: 'user-1',
      client_id: APP,
      scope: 'notes:read notes:write',
    })
    expect(claims.exp! - claims.iat!).toBe(300)
    expect(claims.iat).toBeGreaterThanOrEqual(before)
    expect(issued.expires_at).toBe(claims.exp)
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/)
    const again = await b.issue({ sub: 'user-1' })
    expect(jose.decodeJwt(again.access_token).jti).not.toBe(claims.jti)
    expect(again).not.toHaveProperty('scope')
  })

  it('keeps registered claims its own, and a shorter lifetime or other audience only when asked', async () => {
    const b = broker([oldKey], { ttlSeconds: 600 })
    const issued = await b.issue({
      sub: 'user-1',
      audience: ['https://other.example'],
      ttlSeconds: 60,
      clientId: 'spa',
      claims: { iss: 'https://evil.example', sub: 'admin', exp: 9999999999, tenant: 't1' },
    })
    expect(jose.decodeJwt(issued.access_token)).toMatchObject({
      iss: APP,
      sub: 'user-1',
      aud: ['https://other.example'],
      client_id: 'spa',
      tenant: 't1',
    })
    expect(issued.expires_in).toBe(60)
    await expect(b.issue({ sub: 'u', ttlSeconds: 601 })).rejects.toMatchObject({
      code: 'invalid_request',
    })
    await expect(b.issue({ sub: '' })).rejects.toMatchObject({ code: 'invalid_request' })
    await expect(b.issue({ sub: 'u', scopes: 'x' } as never)).rejects.toThrow(
      /unknown key "scopes": did you mean scope\?/,
    )
  })

  it('refuses keys it must not sign with, at construction: public, symmetric, HS*, none, a bad ttl, unknown options', async () => {
    const { d: _d, ...publicOnly } = oldKey
    const cases: Array<[unknown, RegExp]> = [
      [{ keys: [publicOnly] }, /private JWK/],
      [{ keys: [{ kty: 'oct', k: 'c2VjcmV0', d: 'x' }] }, /symmetric keys are refused/],
      [{ keys: [{ ...oldKey, alg: 'HS256' }] }, /alg HS256 is refused/],
      [{ keys: [{ ...oldKey, alg: 'none' }] }, /alg none is refused/],
      [{ keys: [] }, /at least one private JWK/],
      [{ keys: [oldKey], ttlSeconds: 7200 }, /ttlSeconds/],
      [{ keys: [oldKey], issuer: 'not a url' }, /issuer/],
      [{ keys: [oldKey], audience: '' }, /audience/],
      [{ keys: [oldKey], key: oldKey }, /unknown key "key": did you mean keys\?/],
    ]
    for (const [options, message] of cases) {
      let error: unknown
      try {
        new TokenBroker({
          issuer: APP,
          audience: API,
          ...(options as object),
        } as TokenBrokerOptions)
      } catch (e) {
        error = e
      }
      expect(isOAuthKitError(error, 'config_invalid'), String(error)).toBe(true)
      expect((error as Error).message).toMatch(message)
    }
    await expect(
      broker([
        { ...oldKey, kid: 'same' },
        { ...newKey, kid: 'same' },
      ]).issue({ sub: 'u' }),
    ).rejects.toThrow(/two keys have the same kid/)
  })

  it('generateBrokerKey makes a private signing JWK with kid (its thumbprint), alg and use', async () => {
    for (const alg of ['ES256', 'EdDSA', 'RS256']) {
      const key = await generateBrokerKey(alg)
      expect(key).toMatchObject({ alg, use: 'sig' })
      expect(typeof key.d).toBe('string')
      expect(key.kid).toBe(await jose.calculateJwkThumbprint(key))
    }
    await expect(generateBrokerKey('HS256')).rejects.toMatchObject({ code: 'config_invalid' })
  })
})

describe('key rotation', () => {
  it('publishes every key, newest first; the newest signs; the previous still verifies until it is dropped', async () => {
    const before = broker([oldKey])
    const oldToken = (await before.issue({ sub: 'u' })).access_token

    const rotating = broker([newKey, oldKey])
    const { keys } = await rotating.publicJwks()
    expect(keys.map((k) => k.kid)).toEqual([newKey.kid, oldKey.kid])
    for (const key of keys) expect(key).not.toHaveProperty('d')
    const newToken = (await rotating.issue({ sub: 'u' })).access_token
    expect(jose.decodeProtectedHeader(newToken)).toMatchObject({ kid: newKey.kid, alg: 'EdDSA' })
    const guard = guardOf(rotating)
    await expect(guard.verify(oldToken)).resolves.toMatchObject({ sub: 'u' })
    await expect(guard.verify(newToken)).resolves.toMatchObject({ sub: 'u' })

    const after = guardOf(broker([newKey]))
    await expect(after.verify(newToken)).resolves.toMatchObject({ sub: 'u' })
    await expect(after.verify(oldToken)).rejects.toMatchObject({
      code: 'invalid_token',
      message: 'bearer guard: the token is signed with a key its issuer does not publish',
    })
  })

  describe('seen from another service, through /.well-known/jwks.json', () => {
    let server: Server
    let base: string
    let current: TokenBroker
    let fetches = 0

    beforeAll(async () => {
      current = broker([oldKey])
      const app = express()
      app.get('/.well-known/jwks.json', (req, res, next) => {
        fetches++
        jwksHandler(current)(req, res, next)
      })
      server = createServer(app)
      server.listen(0, '127.0.0.1')
      await once(server, 'listening')
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    })
    afterAll(async () => {
      server?.closeAllConnections()
      await new Promise((resolve) => server?.close(resolve))
    })

    it('a new key is picked up on its first token (refetch on unknown kid); the dropped key is refused', async () => {
      const remote = new BearerGuard({
        audience: API,
        issuers: [{ issuer: APP, jwksUri: `${base}/.well-known/jwks.json` }],
        allowInsecureRequests: true,
      })
      const response = await fetch(`${base}/.well-known/jwks.json`)
      expect(response.headers.get('content-type')).toBe('application/jwk-set+json')
      expect(response.headers.get('cache-control')).toBe('public, max-age=300')
      fetches = 0
      const oldToken = (await current.issue({ sub: 'u' })).access_token
      await expect(remote.verify(oldToken)).resolves.toMatchObject({ iss: APP })
      expect(fetches).toBe(1)

      current = broker([newKey, oldKey]) // the app restarts with the new key first
      const newToken = (await current.issue({ sub: 'u' })).access_token
      await expect(remote.verify(newToken)).resolves.toMatchObject({ iss: APP })
      await expect(remote.verify(oldToken)).resolves.toMatchObject({ iss: APP })
      expect(fetches).toBe(2)

      current = broker([newKey]) // the old key is dropped once its tokens have expired
      const fresh = new BearerGuard({
        audience: API,
        issuers: [{ issuer: APP, jwksUri: `${base}/.well-known/jwks.json` }],
      })
      await expect(fresh.verify(newToken)).resolves.toMatchObject({ iss: APP })
      await expect(fresh.verify(oldToken)).rejects.toMatchObject({ code: 'invalid_token' })
    })
  })
})
