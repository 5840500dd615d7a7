/**
 * The bearer guard against bad tokens, in every framework (Express 5 and 4 on real HTTP, Next.js 16
 * and 15 route handlers, SvelteKit's handle): each case of SECURITY.md's guard table is refused with
 * the RFC 6750 answer it names, the handler never runs, and no token or stack is in the answer. The
 * issuer is a real HTTP server on 127.0.0.1 (discovery + JWKS, see test/support/jwks-issuer.ts).
 */
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import * as jose from 'jose'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { BearerGuard, TokenBroker, generateBrokerKey } from '../../src/index.js'
import { mountEverywhere, type Mount } from '../support/guard-frameworks.js'
import { hmacJwt, startJwksIssuer, unsecuredJwt, type JwksIssuer } from '../support/jwks-issuer.js'

const API = 'https://api.example/notes'
const APP = 'https://app.example'
let idp: JwksIssuer
let broker: TokenBroker
let mounts: Mount[]

const guardFor = (issuer: string) =>
  new BearerGuard({
    audience: API,
    issuers: [{ issuer, algorithms: ['RS256'] }, broker],
    realm: 'notes',
  })

beforeAll(async () => {
  idp = await startJwksIssuer()
  broker = new TokenBroker({ issuer: APP, audience: API, keys: [await generateBrokerKey()] })
  mounts = await mountEverywhere(() => guardFor(idp.issuer), ['notes:read'], broker)
})

afterAll(async () => {
  await Promise.all(mounts?.map((m) => m.close()) ?? [])
  await idp?.close()
})

const now = () => Math.floor(Date.now() / 1000)
const good = { sub: 'alice', aud: API, scope: 'notes:read', client_id: 'spa' }

interface Refusal {
  status: 400 | 401 | 403 | 503
  /** The RFC 6750 error code; none for a request without a token. */
  error?: string
  description?: RegExp
  scope?: string
}

/** The answer of every framework to `authorization` is this refusal, and nothing leaks into it. */
async function expectRefusedEverywhere(
  authorization: string | undefined,
  expected: Refusal,
  targets: Mount[] = mounts,
): Promise<void> {
  for (const mount of targets) {
    const answer = await mount.call(authorization)
    const where = `${mount.name}: ${answer.text}`
    expect(answer.status, where).toBe(expected.status)
    expect(answer.auth, where).toBeUndefined()
    expect(answer.headers.get('cache-control'), where).toBe('no-store')
    const challenge = answer.headers.get('www-authenticate')
    if (expected.status === 503) expect(challenge, where).toBeNull()
    else if (!expected.error) expect(challenge, where).toBe('Bearer realm="notes"')
    else {
      expect(challenge, where).toMatch(
        /^Bearer realm="notes", error="[a-z_]+", error_description="[^"]+"/,
      )
      expect(challenge, where).toContain(`error="${expected.error}"`)
      const body = JSON.parse(answer.text) as { error: string; error_description: string }
      expect(body.error, where).toBe(expected.error)
      if (expected.description) expect(body.error_description, where).toMatch(expected.description)
    }
    if (expected.scope) expect(challenge, where).toContain(`scope="${expected.scope}"`)
    else expect(challenge ?? '', where).not.toContain('scope=')
    const token = authorization?.split(' ')[1]
    if (token && token.length > 8) {
      expect(answer.text, where).not.toContain(token)
      expect(challenge ?? '', where).not.toContain(token)
    }
    expect(answer.text, where).not.toMatch(/\bat .+:\d+:\d+|Error:/)
  }
}

it('guard-valid: a well-formed token of a trusted issuer is accepted everywhere, the claims reach the handler', async () => {
  const token = await idp.sign(good)
  for (const mount of mounts) {
    const answer = await mount.call(`Bearer ${token}`)
    expect(answer.status, `${mount.name}: ${answer.text}`).toBe(200)
    expect(answer.auth, mount.name).toMatchObject({ iss: idp.issuer, sub: 'alice', aud: API })
  }
  // The scheme is case-insensitive (RFC 6750 §2.1, RFC 9110 §11.1).
  expect((await mounts[0]!.call(`bearer ${token}`)).status).toBe(200)
})

it('guard-wrong-alg: a token signed with an algorithm the issuer is not trusted for (ES256 for an RS256 issuer) is refused', async () => {
  const token = await idp.sign(good, { alg: 'ES256' })
  await expectRefusedEverywhere(`Bearer ${token}`, {
    status: 401,
    error: 'invalid_token',
    description: /algorithm is not accepted/,
  })
})

it('guard-hs256-public-key: an HS256 token whose HMAC key is the issuer\u2019s RSA public key is refused', async () => {
  const claims = { ...good, iss: idp.issuer, iat: now(), exp: now() + 300 }
  const token = hmacJwt(claims, idp.rsaPublicPem, 'rsa-1')
  await expectRefusedEverywhere(`Bearer ${token}`, {
    status: 401,
    error: 'invalid_token',
    description: /algorithm is not accepted/,
  })
  // Not even a guard that lists HS256 can be made.
  expect(
    () => new BearerGuard({ audience: API, issuers: [idp.issuer], algorithms: ['HS256'] }),
  ).toThrow(/HS256 is not accepted \(a resource server shares no secret/)
})

it('guard-alg-none: an unsecured token (alg none) is refused', async () => {
  const token = unsecuredJwt({ ...good, iss: idp.issuer, iat: now(), exp: now() + 300 })
  await expectRefusedEverywhere(`Bearer ${token}`, {
    status: 401,
    error: 'invalid_token',
    description: /algorithm is not accepted/,
  })
  expect(
    () => new BearerGuard({ audience: API, issuers: [idp.issuer], algorithms: ['none'] }),
  ).toThrow(/none is not accepted/)
})

it('guard-wrong-typ: a JWT not typed at+jwt (typ JWT, no typ, an ID token) is refused; application/at+jwt is accepted', async () => {
  for (const typ of ['JWT', null, 'id_token+jwt']) {
    const token = await idp.sign(good, { typ })
    await expectRefusedEverywhere(`Bearer ${token}`, {
      status: 401,
      error: 'invalid_token',
      description: /typ must be at\+jwt/,
    })
  }
  const long = await idp.sign(good, { typ: 'application/at+jwt' })
  expect((await mounts[0]!.call(`Bearer ${long}`)).status).toBe(200)
})

it('guard-untrusted-issuer: a token whose iss is not trusted is refused, even signed with a trusted issuer\u2019s key', async () => {
  const token = await idp.sign({ ...good, iss: 'https://evil.example' })
  await expectRefusedEverywhere(`Bearer ${token}`, {
    status: 401,
    error: 'invalid_token',
    description: /untrusted issuer/,
  })
})

it('guard-wrong-audience: a token for another API, or with no aud, is refused', async () => {
  for (const aud of [
    'https://api.example/other',
    undefined,
    ['https://a.example', 'https://b.example'],
  ]) {
    const token = await idp.sign({ ...good, aud })
    await expectRefusedEverywhere(`Bearer ${token}`, {
      status: 401,
      error: 'invalid_token',
      description: /another audience|aud/,
    })
  }
})

it('guard-expired: a token past its exp (beyond the 30 s tolerance) is refused', async () => {
  const token = await idp.sign({ ...good, iat: now() - 600, exp: now() - 120 })
  await expectRefusedEverywhere(`Bearer ${token}`, {
    status: 401,
    error: 'invalid_token',
    description: /expired/,
  })
})

it('guard-not-yet-valid: a token whose nbf is ahead (beyond the tolerance) is refused', async () => {
  const token = await idp.sign({ ...good, nbf: now() + 120 })
  await expectRefusedEverywhere(`Bearer ${token}`, {
    status: 401,
    error: 'invalid_token',
    description: /not yet valid/,
  })
})

it('guard-missing-exp: a token without exp is refused', async () => {
  const token = await idp.sign({ ...good, exp: undefined })
  await expectRefusedEverywhere(`Bearer ${token}`, {
    status: 401,
    error: 'invalid_token',
    description: /exp/,
  })
})

it('guard-claim-types: exp, nbf or iat that are not NumericDates, a payload that is not an object, or an unknown crit header are refused', async () => {
  for (const claims of [
    { exp: String(now() + 300) },
    { nbf: 'yesterday' },
    { iat: null },
    { exp: now() + 300, aud: [API], iat: '1700000000' },
  ]) {
    const token = await idp.sign({ ...good, ...claims })
    await expectRefusedEverywhere(`Bearer ${token}`, {
      status: 401,
      error: 'invalid_token',
      description: /invalid (exp|nbf|iat)/,
    })
  }
  const header = { alg: 'RS256', kid: 'rsa-1', typ: 'at+jwt' }
  const claims = { ...good, iss: idp.issuer, iat: now(), exp: now() + 300 }
  await expectRefusedEverywhere(`Bearer ${await idp.signRaw(header, [claims])}`, {
    status: 401,
    error: 'invalid_token',
    description: /malformed/,
  })
  // The control: signRaw makes tokens the guard accepts.
  expect((await mounts[0]!.call(`Bearer ${await idp.signRaw(header, claims)}`)).status).toBe(200)
  // An unencoded payload (RFC 7797), which jose verifies as a JWS but which is no JWT.
  const unencoded = await idp.signRaw({ ...header, b64: false, crit: ['b64'] }, claims)
  await expectRefusedEverywhere(`Bearer ${unencoded}`, {
    status: 401,
    error: 'invalid_token',
    description: /malformed/,
  })
  const critical = await idp.signRaw(
    { ...header, crit: ['urn:example:must'], 'urn:example:must': 1 },
    claims,
  )
  await expectRefusedEverywhere(`Bearer ${critical}`, {
    status: 401,
    error: 'invalid_token',
    description: /malformed/,
  })
})

it('guard-missing-scope: a valid token without the route\u2019s scope gets 403 insufficient_scope naming the scope', async () => {
  for (const scope of ['notes:write', undefined, 'notes:read2 xnotes:read']) {
    const token = await idp.sign({ ...good, scope })
    await expectRefusedEverywhere(`Bearer ${token}`, {
      status: 403,
      error: 'insufficient_scope',
      description: /lacks the scope notes:read/,
      scope: 'notes:read',
    })
  }
})

it('guard-bad-signature: a token with an altered payload or signature, or signed by another key under a published kid, is refused', async () => {
  const token = await idp.sign(good)
  const [header, payload, signature] = token.split('.')
  const altered = Buffer.from(
    JSON.stringify({ ...jose.decodeJwt(token), sub: 'mallory' }),
  ).toString('base64url')
  const flipped =
    signature!.slice(0, 10) + (signature![10] === 'A' ? 'B' : 'A') + signature!.slice(11)
  const { privateKey } = await jose.generateKeyPair('RS256')
  for (const forged of [
    `${header}.${altered}.${signature}`,
    `${header}.${payload}.${flipped}`,
    await idp.sign(good, { key: privateKey }),
  ]) {
    await expectRefusedEverywhere(`Bearer ${forged}`, {
      status: 401,
      error: 'invalid_token',
      description: /signature does not verify/,
    })
  }
})

it('guard-unknown-kid: a kid the issuer does not publish is refused after one JWKS refetch; more forged kids fetch nothing within the cooldown', async () => {
  const { privateKey } = await jose.generateKeyPair('RS256')
  for (const mount of mounts) {
    const control = await idp.sign(good)
    expect((await mount.call(`Bearer ${control}`)).status).toBe(200) // the JWKS is loaded
    const before = idp.jwksFetches()
    await expectRefusedEverywhere(
      `Bearer ${await idp.sign(good, { kid: 'ghost-1', key: privateKey })}`,
      { status: 401, error: 'invalid_token', description: /key its issuer does not publish/ },
      [mount],
    )
    expect(idp.jwksFetches(), mount.name).toBe(before + 1)
    for (const kid of ['ghost-2', 'ghost-3'])
      await expectRefusedEverywhere(
        `Bearer ${await idp.sign(good, { kid, key: privateKey })}`,
        { status: 401, error: 'invalid_token' },
        [mount],
      )
    expect(idp.jwksFetches(), mount.name).toBe(before + 1)
  }
})

it('guard-sender-constrained: a token bound to a key (cnf) is refused as a plain bearer token', async () => {
  const token = await idp.sign({
    ...good,
    cnf: { jkt: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' },
  })
  await expectRefusedEverywhere(`Bearer ${token}`, {
    status: 401,
    error: 'invalid_token',
    description: /sender-constrained/,
  })
})

it('guard-opaque-unknown: an opaque token or a JWE, with no issuer that introspects, is refused without a request', async () => {
  const fetches = idp.jwksFetches() + idp.discoveryFetches()
  for (const token of ['2YotnFZFEjr1zCsicMWpAA', 'eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d']) {
    await expectRefusedEverywhere(`Bearer ${token}`, {
      status: 401,
      error: 'invalid_token',
      description: /not a JWT|encrypted/,
    })
  }
  expect(idp.jwksFetches() + idp.discoveryFetches()).toBe(fetches)
})

it('guard-malformed-header: "Bearer" with no token, two tokens or characters outside b64token gets 400 invalid_request', async () => {
  for (const header of [
    'Bearer',
    'Bearer ',
    'Bearer a b',
    'Bearer a,b',
    'Bearer "abc"',
    'Bearer\tabc',
  ]) {
    await expectRefusedEverywhere(header, {
      status: 400,
      error: 'invalid_request',
      description: /not Bearer followed by one token/,
    })
  }
})

it('guard-no-token: no Authorization, another scheme, or a token in the query gets 401 with the realm and no error code', async () => {
  const token = await idp.sign(good)
  for (const header of [undefined, 'Basic YWxpY2U6c2VjcmV0', `Token ${token}`, `DPoP ${token}`]) {
    await expectRefusedEverywhere(header, { status: 401 })
  }
  // RFC 6750 §2.3 is not supported: a token in the URL would end up in logs.
  for (const mount of mounts) {
    const answer = await mount.call(undefined, `/api/notes?access_token=${token}`)
    expect(answer.status, mount.name).toBe(401)
    expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="notes"')
  }
})

it('guard-issuer-down: an issuer whose metadata cannot be fetched gets 503 without a challenge, and is not asked again at once', async () => {
  const dead = createServer((_req, res) => {
    res.statusCode = 500
    res.end('boom')
  })
  dead.listen(0, '127.0.0.1')
  await once(dead, 'listening')
  const issuer = `http://127.0.0.1:${(dead.address() as AddressInfo).port}`
  let hits = 0
  dead.on('request', () => void hits++)
  const down = await mountEverywhere(() => guardFor(issuer), ['notes:read'], broker)
  try {
    const claims = { ...good, iss: issuer, iat: now(), exp: now() + 300 }
    const token = await idp.sign(claims)
    await expectRefusedEverywhere(`Bearer ${token}`, { status: 503 }, down)
    const first = hits
    await expectRefusedEverywhere(`Bearer ${token}`, { status: 503 }, down)
    expect(hits).toBe(first) // failed discovery is remembered for a few seconds
    // The broker, a local issuer, still works while the remote one is down.
    const own = await broker.issue({ sub: 'alice', scope: 'notes:read' })
    for (const mount of down)
      expect((await mount.call(`Bearer ${own.access_token}`)).status).toBe(200)
  } finally {
    await Promise.all(down.map((m) => m.close()))
    dead.closeAllConnections()
    await new Promise((resolve) => dead.close(resolve))
  }
})

it('guard-broker-foreign-key: a token carrying the broker\u2019s iss but signed by another key is refused; the broker\u2019s own is accepted', async () => {
  const other = new TokenBroker({ issuer: APP, audience: API, keys: [await generateBrokerKey()] })
  const forged = await other.issue({ sub: 'alice', scope: 'notes:read' })
  await expectRefusedEverywhere(`Bearer ${forged.access_token}`, {
    status: 401,
    error: 'invalid_token',
    description: /key its issuer does not publish/,
  })
  const own = await broker.issue({ sub: 'alice', scope: 'notes:read' })
  for (const mount of mounts) {
    const answer = await mount.call(`Bearer ${own.access_token}`)
    expect(answer.status, mount.name).toBe(200)
    expect(answer.auth, mount.name).toMatchObject({ iss: APP, sub: 'alice', scope: 'notes:read' })
  }
})

it('guard-jwks-route: /.well-known/jwks.json publishes the broker\u2019s public keys only, in every framework', async () => {
  for (const mount of mounts) {
    const answer = await mount.call(undefined, '/.well-known/jwks.json')
    expect(answer.status, mount.name).toBe(200)
    const { keys } = JSON.parse(answer.text) as { keys: jose.JWK[] }
    expect(keys, mount.name).toHaveLength(1)
    expect(keys[0], mount.name).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' })
    expect(Object.keys(keys[0]!).sort(), mount.name).toEqual([
      'alg',
      'crv',
      'kid',
      'kty',
      'use',
      'x',
      'y',
    ])
  }
})
