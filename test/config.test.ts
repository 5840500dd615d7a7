/**
 * App configuration checks: http: is allowed only on a loopback host, and lookalike hosts are not
 * loopback.
 */
import { describe, expect, it } from 'vitest'
import { ErrorCode, OAuth, isOAuthKitError, type OAuth2AppConfig } from '../src/index.js'
import { isLoopback } from '../src/http/loopback.js'
import { SECRET } from './support/helpers.js'

describe('isLoopback', () => {
  it.each([
    'http://localhost/',
    'http://localhost:3000/cb',
    'http://app.localhost/',
    'http://a.b.localhost:8080/',
    'http://127.0.0.1/',
    'http://127.255.10.3:9/',
    'http://[::1]:4000/',
  ])('%s is loopback', (url) => {
    expect(isLoopback(new URL(url))).toBe(true)
  })

  it.each([
    'http://evillocalhost/',
    'http://localhost.evil.example/',
    'http://notlocalhost:3000/',
    'http://127.0.0.1.evil.example/',
    'http://128.0.0.1/',
    'http://10.0.0.1/',
    'http://[::2]/',
    'http://example.com/',
  ])('%s is not loopback', (url) => {
    expect(isLoopback(new URL(url))).toBe(false)
  })
})

describe('http: endpoints at register', () => {
  const register = (authorizeUrl: string, extra: Partial<OAuth2AppConfig> = {}) =>
    new OAuth({ secret: SECRET }).register('app', {
      clientId: 'c',
      authorizeUrl,
      accessTokenUrl: 'https://idp.example/token',
      ...extra,
    })

  it('accepts http: on localhost, *.localhost and 127.0.0.0/8', () => {
    for (const url of [
      'http://localhost:8080/authorize',
      'http://idp.localhost/authorize',
      'http://127.0.0.2/authorize',
    ])
      expect(() => register(url)).not.toThrow()
  })

  it('refuses http: on a lookalike of localhost (evillocalhost), naming the field, unless allowInsecureRequests', () => {
    let error: unknown
    try {
      register('http://evillocalhost/authorize')
    } catch (e) {
      error = e
    }
    expect(isOAuthKitError(error, ErrorCode.CONFIG_INVALID)).toBe(true)
    expect((error as Error).message).toMatch(/authorizeUrl uses http: on a non-loopback host/)
    expect(() =>
      register('http://evillocalhost/authorize', { allowInsecureRequests: true }),
    ).not.toThrow()
  })
})
