/**
 * A resource server on 127.0.0.1 that accepts only DPoP-bound access tokens (RFC 9449 §7), checked
 * with jose and the authorization server's introspection, sharing no code with src/: the
 * `Authorization: DPoP` scheme, one proof (`typ` dpop+jwt, ES256, a public `jwk`, signature), `htm`,
 * `htu`, `ath`, `iat` within a minute, `jti` used once, the nonce when it asks for one, and the proof
 * key's thumbprint equal to the token's `cnf.jkt`.
 */
import { createHash, randomBytes } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as jose from 'jose'

/** One request as the server judged it. */
export interface DPoPSeen {
  method: string
  path: string
  ok: boolean
  /** Why it was refused. */
  reason?: string
  /** The proof's claims, when it verified. */
  proof?: jose.JWTPayload
  jkt?: string
}

export interface DPoPResourceServer {
  url: string
  seen: DPoPSeen[]
  /** `none`: no nonce; `nonce`: asks once for its nonce, then accepts it; `loop`: a new nonce on every request. */
  nonce: 'none' | 'nonce' | 'loop'
  /** Access tokens this server treats as revoked (refused with `invalid_token`). */
  revoked: Set<string>
  close(): Promise<void>
}

/** What the authorization server says of an access token (RFC 7662). */
export type Introspect = (token: string) => Promise<{ active: boolean; cnf?: { jkt?: string } }>

const b64u = (bytes: Buffer) => bytes.toString('base64url')

export async function startDPoPResourceServer(introspect: Introspect): Promise<DPoPResourceServer> {
  const used = new Set<string>()
  let current = b64u(randomBytes(16))
  const state: DPoPResourceServer = {
    url: '',
    seen: [],
    nonce: 'none',
    revoked: new Set(),
    close: async () => {},
  }

  async function judge(req: http.IncomingMessage, record: DPoPSeen): Promise<string | undefined> {
    const auth = req.headers.authorization ?? ''
    const match = /^DPoP ([\w.~+/-]+=*)$/.exec(auth)
    if (!match) return 'no DPoP authorization'
    const token = match[1]!
    const proofs = req.headersDistinct.dpop ?? []
    if (proofs.length !== 1) return 'not exactly one DPoP proof'
    const header = jose.decodeProtectedHeader(proofs[0]!)
    if (header.typ !== 'dpop+jwt' || header.alg !== 'ES256' || !header.jwk) return 'bad header'
    if ('d' in header.jwk) return 'private key in the proof'
    const key = await jose.importJWK(header.jwk as jose.JWK, 'ES256')
    const { payload } = await jose.jwtVerify(proofs[0]!, key, {
      typ: 'dpop+jwt',
      algorithms: ['ES256'],
      maxTokenAge: '60s',
      clockTolerance: 5,
    })
    record.proof = payload
    if (payload.htm !== req.method) return 'htm'
    if (payload.htu !== `${state.url}${new URL(req.url ?? '/', state.url).pathname}`) return 'htu'
    if (payload.ath !== b64u(createHash('sha256').update(token).digest())) return 'ath'
    if (typeof payload.jti !== 'string' || used.has(payload.jti)) return 'jti replayed'
    used.add(payload.jti)
    if (state.nonce === 'loop') return 'use_dpop_nonce'
    if (state.nonce === 'nonce' && payload.nonce !== current) return 'use_dpop_nonce'
    const jkt = await jose.calculateJwkThumbprint(header.jwk as jose.JWK, 'sha256')
    record.jkt = jkt
    const introspection = await introspect(token)
    if (!introspection.active || state.revoked.has(token)) return 'inactive token'
    if (introspection.cnf?.jkt !== jkt) return 'cnf.jkt differs from the proof key'
    return undefined
  }

  const server = http.createServer((req, res) => {
    const record: DPoPSeen = {
      method: req.method ?? '',
      path: new URL(req.url ?? '/', 'http://x').pathname,
      ok: false,
    }
    state.seen.push(record)
    req.resume()
    judge(req, record)
      .catch((error: unknown) => `proof does not verify (${(error as Error).name})`)
      .then((reason) => {
        if (reason === 'use_dpop_nonce') {
          if (state.nonce === 'loop') current = b64u(randomBytes(16))
          record.reason = reason
          res.writeHead(401, {
            'www-authenticate': 'DPoP error="use_dpop_nonce", error_description="nonce required"',
            'dpop-nonce': current,
            'content-length': '0',
          })
          return void res.end()
        }
        if (reason) {
          record.reason = reason
          res.writeHead(401, {
            'www-authenticate': `DPoP error="invalid_token", algs="ES256"`,
            'content-length': '0',
          })
          return void res.end()
        }
        record.ok = true
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ ok: true, path: record.path, jkt: record.jkt }))
      })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()))
  return state
}
