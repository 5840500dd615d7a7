/**
 * Hostile provider, ID token signatures and keys (OpenID Foundation RP conformance: Basic, Config,
 * FAPI 2 client tests). A token whose signature or algorithm is wrong is refused; a key the JWKS cache
 * does not hold yet is fetched once, so key rotation keeps working.
 */
import * as jose from 'jose'
import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/index.js'
import { useMsw } from '../support/helpers.js'
import { hostileRig, tamperSignature, type RigOptions } from '../support/hostile-idp.js'

const server = useMsw()

type Mint = (
  r: Awaited<ReturnType<typeof hostileRig>>,
  nonce: string | undefined,
) => Promise<string>

/** One login whose ID token is `mint`ed by the test. */
async function loginWith(
  mint: Mint,
  options: RigOptions = {},
  setup?: (r: Awaited<ReturnType<typeof hostileRig>>) => Promise<void>,
) {
  const r = await hostileRig(server, options)
  await setup?.(r)
  const login = await r.start()
  r.idp.answerToken(async ({ nonce }) => ({ id_token: await mint(r, nonce) }))
  return { r, login, callback: r.idp.authorize(login.location) }
}

describe('hostile provider: ID token signatures and keys', () => {
  it('kid-absent-single-jwks: a token without kid is verified with the only key published', async () => {
    const { r, login, callback } = await loginWith((r, nonce) =>
      r.idp.idToken({ nonce }, { kid: null }),
    )
    const token = await r.signIn(login, callback)
    expect(token.userinfo?.sub).toBe('user-1')
    expect(r.updates).toEqual([token])
  })

  it('kid-absent-multiple-jwks: a token without kid is refused when several keys could match (no key is guessed)', async () => {
    const { r, login, callback } = await loginWith(
      (r, nonce) => r.idp.idToken({ nonce }, { kid: null }),
      {},
      (r) => r.idp.addKey('key-2', 'RS256'),
    )
    const err = await r.expectRefused(() => r.signIn(login, callback), ErrorCode.ID_TOKEN_INVALID, {
      login,
      calls: ['token', 'jwks'],
    })
    expect(err.message).toMatch(/multiple matching keys/)
  })

  it('idtoken-sig-none: an unsigned (alg none) token is refused even when the provider advertises none', async () => {
    const options = {
      idp: { metadata: { id_token_signing_alg_values_supported: ['RS256', 'none'] } },
    }
    const { r, login, callback } = await loginWith(
      (r, nonce) => r.idp.idToken({ nonce }, { alg: 'none' }),
      options,
    )
    const err = await r.expectRefused(() => r.signIn(login, callback), ErrorCode.ID_TOKEN_INVALID, {
      login,
      calls: ['token'],
    })
    expect(err.message).toMatch(/alg "none" is not allowed/)
  })

  it('invalid-sig-rs256: an RS256 token with a bad signature is refused (the same token signed correctly is accepted)', async () => {
    const { r, login, callback } = await loginWith(async (r, nonce) =>
      tamperSignature(await r.idp.idToken({ nonce })),
    )
    await r.expectRefused(() => r.signIn(login, callback), ErrorCode.ID_TOKEN_INVALID, {
      login,
      calls: ['token', 'jwks'],
    })
    const good = await loginWith((r, nonce) => r.idp.idToken({ nonce }))
    await expect(good.r.signIn(good.login, good.callback)).resolves.toHaveProperty('id_token')
  })

  it('invalid-sig-es256: an ES256 token with a bad signature is refused (the same token signed correctly is accepted)', async () => {
    const ec = (r: Awaited<ReturnType<typeof hostileRig>>) => r.idp.rotateKeys('ec-1', 'ES256')
    const { r, login, callback } = await loginWith(
      async (r, nonce) => tamperSignature(await r.idp.idToken({ nonce })),
      {},
      ec,
    )
    await r.expectRefused(() => r.signIn(login, callback), ErrorCode.ID_TOKEN_INVALID, {
      login,
      calls: ['token', 'jwks'],
    })
    const good = await loginWith((r, nonce) => r.idp.idToken({ nonce }), {}, ec)
    await expect(good.r.signIn(good.login, good.callback)).resolves.toHaveProperty('id_token')
  })

  it('invalid-sig-hs256: an HS256 token with a bad signature is refused (the same token signed with the client secret is accepted)', async () => {
    const options = { idp: { metadata: { id_token_signing_alg_values_supported: ['HS256'] } } }
    const hs256 = (r: Awaited<ReturnType<typeof hostileRig>>, nonce: string | undefined) =>
      r.idp.idToken(
        { nonce },
        { alg: 'HS256', kid: null, key: new TextEncoder().encode(r.idp.clientSecret) },
      )
    const { r, login, callback } = await loginWith(
      async (r, nonce) => tamperSignature(await hs256(r, nonce)),
      options,
    )
    await r.expectRefused(() => r.signIn(login, callback), ErrorCode.ID_TOKEN_INVALID, {
      login,
      calls: ['token'],
    })
    const good = await loginWith(hs256, options)
    await expect(good.r.signIn(good.login, good.callback)).resolves.toHaveProperty('id_token')
  })

  it('invalid-null-alg: a token serialised with alg none is refused when the provider advertises signed tokens only', async () => {
    const { r, login, callback } = await loginWith((r, nonce) =>
      r.idp.idToken({ nonce }, { alg: 'none', kid: null }),
    )
    await r.expectRefused(() => r.signIn(login, callback), ErrorCode.ID_TOKEN_INVALID, {
      login,
      calls: ['token'],
    })
  })

  it('invalid-alternate-alg: an RS256 token is refused when the provider advertises PS256, though its key would verify it', async () => {
    const options = { idp: { metadata: { id_token_signing_alg_values_supported: ['PS256'] } } }
    // One RSA key published without "alg": only the alg allow-list tells PS256 from RS256.
    const psKey = async (r: Awaited<ReturnType<typeof hostileRig>>) => {
      await r.idp.rotateKeys('fapi-1', 'PS256')
      delete r.idp.keys[0]!.publicJwk.alg
    }
    const rs256 = async (r: Awaited<ReturnType<typeof hostileRig>>, nonce: string | undefined) =>
      r.idp.idToken(
        { nonce },
        {
          alg: 'RS256',
          key: (await jose.importJWK(
            await jose.exportJWK(r.idp.keys[0]!.privateKey),
            'RS256',
          )) as CryptoKey,
        },
      )
    const { r, login, callback } = await loginWith(rs256, options, psKey)
    await r.expectRefused(() => r.signIn(login, callback), ErrorCode.ID_TOKEN_INVALID, {
      login,
      calls: ['token'],
    })
    const good = await loginWith((r, nonce) => r.idp.idToken({ nonce }), options, psKey)
    await expect(good.r.signIn(good.login, good.callback)).resolves.toHaveProperty('id_token')
  })

  it('signing-key-rotation: after the provider rotates its key between logins, the next login refetches the JWKS once and succeeds', async () => {
    const r = await hostileRig(server)
    const first = await r.start()
    await r.signIn(first, r.idp.authorize(first.location))
    expect(r.idp.endpointCalls('jwks')).toBe(1)
    await r.idp.rotateKeys('key-2')
    const second = await r.start()
    const token = await r.signIn(second, r.idp.authorize(second.location))
    expect(jose.decodeProtectedHeader(token.id_token!).kid).toBe('key-2')
    expect(r.idp.endpointCalls('jwks')).toBe(2)
    expect(r.updates).toHaveLength(2)
  })

  it('rotation-just-before-signing: with the JWKS cached, a key rotated in the instant before the ID token is signed is fetched and accepted', async () => {
    const r = await hostileRig(server)
    const warm = await r.start()
    await r.signIn(warm, r.idp.authorize(warm.location)) // the JWKS cache now holds key-1
    const login = await r.start()
    r.idp.answerToken(async ({ nonce }) => {
      await r.idp.rotateKeys('key-2')
      return { id_token: await r.idp.idToken({ nonce }) }
    })
    const token = await r.signIn(login, r.idp.authorize(login.location))
    expect(jose.decodeProtectedHeader(token.id_token!).kid).toBe('key-2')
    expect(r.idp.endpointCalls('jwks')).toBe(2)
  })
})
