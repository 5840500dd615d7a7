/**
 * The transaction seal (src/session/seal.ts): AES-256-GCM under a key derived once per password.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { seal, unseal } from '../src/session/seal.js'

const A = 'a-sealing-password-that-is-long-enough-0001'
const B = 'b-sealing-password-that-is-long-enough-0002'

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

describe('transaction seal', () => {
  it('round-trips data, and each seal is different (fresh IV)', async () => {
    const data = { app: 'idp', key: 'state-1', nested: { n: 1 } }
    const one = await seal(data, A, 60)
    const two = await seal(data, A, 60)
    expect(one).not.toBe(two)
    expect(one).toMatch(/^t1\*1\*[\w-]+\*[\w-]+$/)
    expect(one).not.toContain('state-1')
    await expect(unseal(one, A)).resolves.toEqual(data)
  })

  it('refuses a seal whose last character differs only in its unused bits (same bytes, other text)', async () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    let tried = 0
    for (let size = 1; size <= 6; size++) {
      const sealed = await seal({ v: 'x'.repeat(size) }, A, 60)
      const ciphertext = sealed.split('*')[3]!
      // With a length of 2 or 3 mod 4 the last character carries 4 or 2 unused bits: flip the lowest.
      if (ciphertext.length % 4 === 0) continue
      const last = alphabet.indexOf(ciphertext.at(-1)!)
      const changed = sealed.slice(0, -1) + alphabet[last ^ 1]
      await expect(unseal(changed, A)).rejects.toThrow()
      tried++
    }
    expect(tried).toBeGreaterThan(0)
  })

  it('refuses another password, any changed part, a truncated seal, another version', async () => {
    const sealed = await seal({ key: 'k' }, A, 60)
    await expect(unseal(sealed, B)).rejects.toThrow()
    const parts = sealed.split('*')
    for (let i = 0; i < parts.length; i++) {
      const changed = [...parts]
      const part = changed[i]!
      changed[i] = (part.startsWith('A') ? 'B' : 'A') + part.slice(1)
      await expect(unseal(changed.join('*'), A), `part ${i}`).rejects.toThrow()
    }
    await expect(unseal(sealed.slice(0, -2), A)).rejects.toThrow()
    await expect(unseal(sealed.replace(/^t1/, 't2'), A)).rejects.toThrow()
    await expect(unseal(`${sealed}*x`, A)).rejects.toThrow()
    await expect(unseal('Fe26.2*1*a*b*c*d*e*f', A)).rejects.toThrow()
  })

  it('rotation: the highest id seals, every id unseals, an unknown or inherited id is refused', async () => {
    const old = await seal({ v: 'old' }, { 1: A }, 60)
    const rotated = { 1: A, 2: B }
    await expect(unseal(old, rotated)).resolves.toEqual({ v: 'old' })
    const fresh = await seal({ v: 'new' }, rotated, 60)
    expect(fresh.split('*')[1]).toBe('2')
    await expect(unseal(fresh, { 1: A })).rejects.toThrow()
    // The id is authenticated: relabelling a seal of password 2 as password 1 fails.
    await expect(unseal(fresh.replace(/^t1\*2\*/, 't1*1*'), { 1: B, 2: B })).rejects.toThrow()
    await expect(unseal(fresh.replace(/^t1\*2\*/, 't1*constructor*'), rotated)).rejects.toThrow()
  })

  it('expires after its ttl', async () => {
    vi.useFakeTimers({ now: 1_000_000, toFake: ['Date'] })
    const sealed = await seal({ k: 1 }, A, 60)
    vi.setSystemTime(1_000_000 + 60_000)
    await expect(unseal(sealed, A)).resolves.toEqual({ k: 1 })
    vi.setSystemTime(1_000_000 + 60_001)
    await expect(unseal(sealed, A)).rejects.toThrow('expired')
  })

  it('derives the key once per password, not per seal', async () => {
    const password = 'a-password-used-only-by-this-test-000000001'
    const derive = vi.spyOn(crypto.subtle, 'deriveKey')
    for (let i = 0; i < 5; i++) await unseal(await seal({ i }, password, 60), password)
    expect(derive).toHaveBeenCalledTimes(1)
  })
})
