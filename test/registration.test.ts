/**
 * Dynamic client registration (RFC 7591) against a real provider (oidc-provider on 127.0.0.1 with
 * registration on): register, log in with the registered client, reuse it from the store, share one
 * registration among concurrent first uses, and refusals as registration_error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ErrorCode,
  MemoryClientRegistrations,
  MemoryCookieJar,
  OAuth,
  registerClient,
  registeredClient,
  type ClientRegistrationOptions,
} from '../src/index.js'
import { SECRET, expectCode } from './support/helpers.js'
import { registerCredential } from './support/secrets.js'
import { startTestProvider, type TestProvider } from './support/oidc-provider.js'

const REDIRECT = 'https://app.test/auth/callback'
let provider: TestProvider
let registrations: number
beforeAll(async () => {
  provider = await startTestProvider({
    configuration: { features: { registration: { enabled: true } } },
  })
  registrations = 0
  provider.provider.on('registration_create.success', () => void (registrations += 1))
})
afterAll(() => provider?.close())

const options = (extra: Partial<ClientRegistrationOptions> = {}): ClientRegistrationOptions => ({
  registrationEndpoint: `${provider.issuer}/reg`,
  metadata: { redirect_uris: [REDIRECT], client_name: 'oauthkit test', scope: 'openid email' },
  name: 'dcr',
  ...extra,
})

describe('dynamic client registration', () => {
  it('registers a client at a real provider, which then logs a user in', async () => {
    const client = await registerClient(options())
    registerCredential(client.client_secret)
    expect(client).toMatchObject({
      client_id: expect.any(String),
      client_secret: expect.any(String),
      redirect_uris: [REDIRECT],
    })
    const app = new OAuth({ secret: SECRET })
      .register('dcr', {
        serverMetadataUrl: provider.discoveryUrl,
        clientId: client.client_id,
        clientSecret: client.client_secret,
        scope: 'openid email',
      })
      .create('dcr')
    const cookies = new MemoryCookieJar()
    const res = await app.authorizeRedirect({ cookies }, REDIRECT)
    const { url } = await provider.authorize(res.headers.get('location')!)
    const token = await app.authorizeAccessToken({ cookies, request: new Request(url) })
    expect(token.userinfo?.aud).toBe(client.client_id)
  })

  it('registeredClient registers once per key (concurrent first uses share it) and then reuses the stored client', async () => {
    const store = new MemoryClientRegistrations()
    const before = registrations
    const [a, b] = await Promise.all([
      registeredClient(store, 'instance-1', options()),
      registeredClient(store, 'instance-1', options()),
    ])
    registerCredential(a.client_secret)
    expect(a.client_id).toBe(b.client_id)
    expect((await registeredClient(store, 'instance-1', options())).client_id).toBe(a.client_id)
    expect(registrations - before).toBe(1)
    const other = await registeredClient(store, 'instance-2', options())
    registerCredential(other.client_secret)
    expect(other.client_id).not.toBe(a.client_id)
    expect(registrations - before).toBe(2)
  })

  it('re-registers when the stored secret has expired', async () => {
    const store = new MemoryClientRegistrations()
    store.set('k', { client_id: 'old', client_secret: 'old-secret', client_secret_expires_at: 1 })
    const fresh = await registeredClient(store, 'k', options())
    registerCredential(fresh.client_secret)
    expect(fresh.client_id).not.toBe('old')
    expect(store.get('k')?.client_id).toBe(fresh.client_id)
  })

  it('a refusal is registration_error with the provider error, and nothing is stored', async () => {
    const store = new MemoryClientRegistrations()
    const err = await expectCode(
      registeredClient(
        store,
        'bad',
        options({ metadata: { redirect_uris: ['not a url'], client_name: 'x' } }),
      ),
      ErrorCode.REGISTRATION_ERROR,
    )
    expect(err.error).toBe('invalid_redirect_uri')
    expect(store.get('bad')).toBeUndefined()
  })

  it('refuses a plain http endpoint that is not loopback, and empty redirect_uris, before sending', async () => {
    await expectCode(
      registerClient(options({ registrationEndpoint: 'http://idp.example/reg' })),
      ErrorCode.CONFIG_INVALID,
    )
    await expectCode(
      registerClient(options({ metadata: { redirect_uris: [] } })),
      ErrorCode.CONFIG_INVALID,
    )
  })
})
