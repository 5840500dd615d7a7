/**
 * 4. The bearer guard's JWT check against a bare `jose.jwtVerify` with a cached key: the same token,
 *    the same key, interleaved in blocks, ratio per round. The guard reads the issuer's keys from a
 *    JWKS served by `node:http` on 127.0.0.1 (fetched once, then cached, as in production);
 *    jose gets the imported `CryptoKey` itself.
 *
 * Run alone: `node --import tsx bench/guard.ts`.
 */
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import * as jose from 'jose'
import { BearerGuard } from '../src/index.js'
import {
  interleave,
  pairedRatios,
  summarize,
  type InterleaveOptions,
  type Summary,
} from './stats.js'

export const GUARD_VERIFY = 'guard.verify(token)'
export const GUARD_REQUEST = 'guard.authenticate(request)'
export const BARE_JOSE = 'jose.jwtVerify(token, key)'

export interface GuardGroup {
  alg: string
  series: Array<{ name: string; summary: Summary }>
  ratios: Array<{ label: string; summary: Summary; target?: number }>
}

export interface GuardBenchResult {
  options: InterleaveOptions
  groups: GuardGroup[]
}

const API = 'https://api.example'

async function group(alg: 'ES256' | 'RS256', options: InterleaveOptions): Promise<GuardGroup> {
  const { publicKey, privateKey } = await jose.generateKeyPair(alg, { extractable: true })
  const jwks = { keys: [{ ...(await jose.exportJWK(publicKey)), kid: 'k1', alg, use: 'sig' }] }
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify(jwks))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  try {
    const now = Math.floor(Date.now() / 1000)
    const token = await new jose.SignJWT({
      scope: 'notes:read',
      client_id: 'spa',
      jti: crypto.randomUUID(),
    })
      .setProtectedHeader({ alg, kid: 'k1', typ: 'at+jwt' })
      .setIssuer(issuer)
      .setSubject('alice')
      .setAudience(API)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(privateKey)
    const guard = new BearerGuard({
      audience: API,
      issuers: [{ issuer, jwksUri: `${issuer}/jwks` }],
    })
    const request = new Request(`${API}/notes`, { headers: { authorization: `Bearer ${token}` } })
    const route = { scopes: ['notes:read'] }
    await guard.verify(token, route) // the JWKS is fetched here, once
    const result = await interleave(
      {
        [GUARD_VERIFY]: () => guard.verify(token, route),
        [GUARD_REQUEST]: async () => {
          if (!(await guard.authenticate(request, route)).ok) throw new Error('refused')
        },
        [BARE_JOSE]: () => jose.jwtVerify(token, publicKey, { issuer, audience: API }),
      },
      options,
    )
    const ratio = (a: string, b: string, target?: number) => ({
      label: `${a} / ${b}`,
      summary: summarize(pairedRatios(result.median[a]!, result.median[b]!)),
      ...(target === undefined ? {} : { target }),
    })
    return {
      alg,
      series: Object.entries(result.median).map(([name, values]) => ({
        name,
        summary: summarize(values),
      })),
      ratios: [ratio(GUARD_VERIFY, BARE_JOSE, 1.1), ratio(GUARD_REQUEST, BARE_JOSE)],
    }
  } finally {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
}

/** Both groups: ES256 (the broker's default) and RS256 (the cheapest verify, where overhead shows most). */
export async function guardChecks(options: InterleaveOptions): Promise<GuardBenchResult> {
  return {
    options,
    groups: [await group('ES256', options), await group('RS256', options)],
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await guardChecks({ rounds: 7, perRound: 2000, block: 10, warmup: 500, seed: 4 })
  for (const g of result.groups) {
    console.log(g.alg)
    for (const s of g.series)
      console.log(
        `  ${s.name.padEnd(32)} ${s.summary.median.toFixed(1)} µs (${s.summary.min.toFixed(1)}–${s.summary.max.toFixed(1)})`,
      )
    for (const r of g.ratios)
      console.log(
        `  ${r.label.padEnd(60)} ${r.summary.median.toFixed(3)} (${r.summary.min.toFixed(3)}–${r.summary.max.toFixed(3)})`,
      )
  }
}
