/**
 * A per-provider store for oidc-provider's models.
 *
 * @module
 */
import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider'

/** A per-provider store (oidc-provider's default MemoryAdapter is process-global and warns on every start). */
export function memoryAdapter(): AdapterFactory {
  const store = new Map<string, AdapterPayload>()
  // Expiry is checked by oidc-provider's models themselves, so entries simply live as long as the provider.
  return (model: string): Adapter => {
    const key = (id: string) => `${model}:${id}`
    const findBy = (field: 'uid' | 'userCode', value: string) => {
      for (const [k, payload] of store)
        if (k.startsWith(`${model}:`) && payload[field] === value) return payload
      return undefined
    }
    return {
      upsert: async (id, payload) => void store.set(key(id), payload),
      find: async (id) => store.get(key(id)),
      findByUid: async (uid) => findBy('uid', uid),
      findByUserCode: async (userCode) => findBy('userCode', userCode),
      consume: async (id) => {
        const payload = store.get(key(id))
        if (payload) payload.consumed = Math.floor(Date.now() / 1000)
      },
      destroy: async (id) => void store.delete(key(id)),
      revokeByGrantId: async (grantId) => {
        for (const [k, payload] of store) if (payload.grantId === grantId) store.delete(k)
      },
    }
  }
}
