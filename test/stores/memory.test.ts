/** The memory store passes the contract; the registry's `store` option is checked. */
import { describe, expect, it } from 'vitest'
import { MemoryTokenStore, OAuth, SealedTokenStore } from '../../src/index.js'
import { expectCode, SECRET } from '../support/helpers.js'
import { tokenStoreContract } from './contract.js'

// The map holds what the store is given: its raw value is what `get` returns.
tokenStoreContract('memory', () => {
  const store = new MemoryTokenStore()
  return { store, raw: (userId, app) => store.get(userId, app) }
})

describe('new OAuth({ store })', () => {
  it('needs a secret, and a store with the four methods', async () => {
    expect(() => new OAuth({ store: new MemoryTokenStore() })).toThrow(
      expect.objectContaining({ code: 'config_invalid', message: expect.stringMatching(/secret/) }),
    )
    expect(
      () => new OAuth({ store: { get: async () => undefined } as never, secret: SECRET }),
    ).toThrow(expect.objectContaining({ code: 'config_invalid' }))
    expect(new OAuth({ secret: SECRET }).tokens).toBeUndefined()
    expect(() => new SealedTokenStore(new MemoryTokenStore(), 'short')).toThrow(
      expect.objectContaining({ code: 'config_invalid' }),
    )
    expect(() => new SealedTokenStore(new MemoryTokenStore(), {})).toThrow(
      expect.objectContaining({ code: 'config_invalid' }),
    )
  })

  it('leaves an explicit fetchToken/updateToken in charge', async () => {
    const store = new MemoryTokenStore()
    const fetched: unknown[] = []
    const oauth = new OAuth({
      store,
      secret: SECRET,
      fetchToken: (name, ctx) => void fetched.push([name, ctx?.userId]),
    }).register('api', {
      clientId: 'c',
      authorizeUrl: 'https://idp.test/authorize',
      accessTokenUrl: 'https://idp.test/token',
      apiBaseUrl: 'https://api.test',
    })
    await oauth.tokens!.set(1, 'api', { access_token: 'at', token_type: 'Bearer' })
    await expectCode(oauth.create('api').fetchToken({ userId: 1 }), 'token_missing')
    expect(fetched).toEqual([['api', 1]])
  })

  it('refuses a user id that is not a non-empty string or finite number', async () => {
    const oauth = new OAuth({ store: new MemoryTokenStore(), secret: SECRET })
    await expectCode(oauth.tokens!.get('', 'api'), 'invalid_request')
    await expectCode(oauth.tokens!.get(NaN, 'api'), 'invalid_request')
  })
})
