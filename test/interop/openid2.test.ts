/**
 * OpenID 2.0 against a real provider: python-openid's `openid.server.server.Server` (Debian's
 * python3-openid), started on 127.0.0.1 by this file. Logins end to end — checkid_setup with
 * identifier_select, the positive assertion, direct verification (`check_authentication`), discovery
 * of the claimed identifier (Yadis and HTML), SREG and AX — and the provider asserting an identifier
 * that discovery gives to another OP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ErrorCode,
  MemoryCookieJar,
  OAuth,
  type OpenIdApp,
  type OpenIdAppConfig,
  type OpenIdIdentity,
} from '../../src/index.js'
import { SECRET, expectCode } from '../support/helpers.js'
import { REDIRECT_URI, followToCallback, startPythonServer, type RunningServer } from './support.js'

let server: RunningServer

beforeAll(async () => {
  server = await startPythonServer('openid2_provider.py')
})
afterAll(() => server?.close())

async function selectUser(name: string): Promise<void> {
  const response = await fetch(`${server.url}/test/user?name=${name}`, { method: 'POST' })
  expect(response.status).toBe(204)
}

function app(config: Partial<OpenIdAppConfig> = {}, saved: OpenIdIdentity[] = []): OpenIdApp {
  return new OAuth({
    secret: SECRET,
    updateToken: (_name, token) => void saved.push(token as OpenIdIdentity),
  })
    .register('op', { openIdEndpoint: `${server.url}/op`, ...config })
    .create('op')
}

async function login(target: OpenIdApp): Promise<{ identity: OpenIdIdentity; callback: URL }> {
  const cookies = new MemoryCookieJar()
  const redirect = await target.authorizeRedirect({ cookies }, REDIRECT_URI, { returnTo: '/games' })
  const location = new URL(redirect.headers.get('location')!)
  expect(location.searchParams.get('openid.mode')).toBe('checkid_setup')
  const callback = await followToCallback(location.href)
  const done = await target.completeAuthorization({ cookies, request: new Request(callback) })
  expect(done.returnTo).toBe('/games')
  return { identity: done.token, callback }
}

describe('python-openid Server (Debian python3-openid)', () => {
  it('logs in with identifier_select, verifies by check_authentication and discovers the claimed id by Yadis', async () => {
    await selectUser('alice')
    const saved: OpenIdIdentity[] = []
    const { identity, callback } = await login(app({}, saved))
    expect(identity).toEqual({
      claimed_id: `${server.url}/id/alice`,
      identity: `${server.url}/id/alice`,
      op_endpoint: `${server.url}/op`,
    })
    expect(saved).toEqual([identity])
    // python-openid signed the assertion with a private (stateless) association: no association was made.
    expect(callback.searchParams.get('openid.signed')).toContain('response_nonce')
  })

  it('discovers a claimed id by its HTML link, and returns the signed SREG and AX attributes', async () => {
    await selectUser('bob')
    const { identity } = await login(
      app({
        sreg: ['nickname', 'fullname'],
        sregRequired: ['email'],
        ax: { email: 'http://axschema.org/contact/email', name: 'http://axschema.org/namePerson' },
        axRequired: ['email'],
      }),
    )
    expect(identity.claimed_id).toBe(`${server.url}/id/bob`)
    expect(identity.sreg).toEqual({
      nickname: 'bob',
      fullname: 'Bob Builder',
      email: 'bob@example.test',
    })
    expect(identity.ax).toEqual({
      'http://axschema.org/contact/email': ['bob@example.test'],
      'http://axschema.org/namePerson': ['Bob Builder'],
    })
    const profile = await app().profile(identity)
    expect(profile).toMatchObject({
      sub: identity.claimed_id,
      name: 'Bob Builder',
      email: 'bob@example.test',
    })
    expect(profile.email_verified).toBeUndefined()
  })

  it('trusts the provider for its own namespace with claimedIdPrefix (no discovery request)', async () => {
    await selectUser('alice')
    const seen: string[] = []
    const { identity } = await login(
      app({
        claimedIdPrefix: `${server.url}/id/`,
        fetch: (input, init) => {
          seen.push(input instanceof Request ? input.url : String(input))
          return fetch(input, init)
        },
      }),
    )
    expect(identity.claimed_id).toBe(`${server.url}/id/alice`)
    expect(seen).toEqual([`${server.url}/op`])
  })

  it('refuses a claimed id the provider asserts but discovery gives to another OP', async () => {
    await selectUser('mallory')
    const target = app()
    const cookies = new MemoryCookieJar()
    const redirect = await target.authorizeRedirect({ cookies }, REDIRECT_URI)
    const callback = await followToCallback(redirect.headers.get('location')!)
    const error = await expectCode(
      target.authorizeAccessToken({ cookies, request: new Request(callback) }),
      ErrorCode.OPENID_ASSERTION_INVALID,
    )
    expect(error.message).toMatch(/belongs to another OpenID provider/)
  })

  it('refuses the same assertion twice: the provider too forgets a stateless signature once checked', async () => {
    await selectUser('alice')
    const target = app()
    const cookies = new MemoryCookieJar()
    const redirect = await target.authorizeRedirect({ cookies }, REDIRECT_URI)
    const callback = await followToCallback(redirect.headers.get('location')!)
    const cookie = cookies.getAll().map(({ name, value }) => ({ name, value }))
    await target.authorizeAccessToken({ cookies, request: new Request(callback) })
    // The same callback with the transaction cookie put back: the replay guard refuses it first.
    const again = new MemoryCookieJar()
    for (const { name, value } of cookie) again.set(name, value)
    await expectCode(
      target.authorizeAccessToken({ cookies: again, request: new Request(callback) }),
      ErrorCode.TRANSACTION_NOT_FOUND,
    )
  })
})
