/**
 * A token issuer on 127.0.0.1 for the bearer guard's tests: OpenID discovery and a JWKS served by
 * node:http (each request counted), and access tokens minted with jose — well-formed, or broken in
 * exactly one way. Every token it signs is registered as a credential in play.
 */
// node:crypto for HS256: jose refuses to sign with a PEM public key as an HMAC secret, which is the point.
import { createHmac } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import * as jose from 'jose'
import { registerCredential } from './secrets.js'

export interface SignOptions {
  alg?: string
  kid?: string
  typ?: string | null
  /** Sign with this key instead of the issuer's key for `alg`. */
  key?: CryptoKey | Uint8Array
  /** More protected header members. */
  header?: Record<string, unknown>
}

export interface JwksIssuer {
  issuer: string
  jwksUri: string
  /** Requests the JWKS endpoint has answered. */
  jwksFetches(): number
  /** Requests the discovery endpoint has answered. */
  discoveryFetches(): number
  /** The RSA public key as PEM (what an HS256 forger would use as the HMAC secret). */
  rsaPublicPem: string
  /** A token with these claims (iss, iat, exp, jti filled in unless given; `undefined` drops a claim). */
  sign(claims: Record<string, unknown>, options?: SignOptions): Promise<string>
  /** An RS256 signature over any header and payload (jose refuses to make some headers, e.g. an unknown `crit`). */
  signRaw(header: Record<string, unknown>, payload: unknown): Promise<string>
  close(): Promise<void>
}

/** Start the issuer: an RS256 key `rsa-1` and an ES256 key `ec-1`, both published. */
export async function startJwksIssuer(): Promise<JwksIssuer> {
  const rsa = await jose.generateKeyPair('RS256', { extractable: true })
  const ec = await jose.generateKeyPair('ES256', { extractable: true })
  const keys = [
    { ...(await jose.exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
    { ...(await jose.exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
  ]
  let jwks = 0
  let discovery = 0
  let issuer = ''
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    if (path === '/.well-known/openid-configuration') {
      discovery++
      res.setHeader('content-type', 'application/json')
      return void res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }))
    }
    if (path === '/jwks') {
      jwks++
      res.setHeader('content-type', 'application/json')
      return void res.end(JSON.stringify({ keys }))
    }
    res.statusCode = 404
    res.end()
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    jwksFetches: () => jwks,
    discoveryFetches: () => discovery,
    rsaPublicPem: await jose.exportSPKI(rsa.publicKey),
    async sign(claims, options = {}) {
      const alg = options.alg ?? 'RS256'
      const now = Math.floor(Date.now() / 1000)
      const payload: Record<string, unknown> = {
        iss: issuer,
        iat: now,
        exp: now + 300,
        jti: crypto.randomUUID(),
        ...claims,
      }
      for (const [name, value] of Object.entries(payload))
        if (value === undefined) delete payload[name]
      const header: jose.JWTHeaderParameters = {
        alg,
        kid: options.kid ?? (alg.startsWith('ES') ? 'ec-1' : 'rsa-1'),
        ...(options.typ === null ? {} : { typ: options.typ ?? 'at+jwt' }),
        ...options.header,
      }
      const key = options.key ?? (alg.startsWith('ES') ? ec.privateKey : rsa.privateKey)
      const token = await new jose.SignJWT(payload).setProtectedHeader(header).sign(key)
      registerCredential(token)
      return token
    },
    async signRaw(header, payload) {
      const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
      const input = `${part(header)}.${part(payload)}`
      const signature = await crypto.subtle.sign(
        'RSASSA-PKCS1-v1_5',
        rsa.privateKey,
        new TextEncoder().encode(input),
      )
      const token = `${input}.${Buffer.from(signature).toString('base64url')}`
      registerCredential(token)
      return token
    },
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

/** An unsecured JWT (`alg: none`), which jose will not make. */
export function unsecuredJwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${part({ alg: 'none', typ: 'at+jwt' })}.${part(claims)}.`
}

/** An HS256 JWT signed with `secret` (the forger's trick: the issuer's public key as the HMAC key). */
export function hmacJwt(claims: Record<string, unknown>, secret: string, kid: string): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const input = `${part({ alg: 'HS256', typ: 'at+jwt', kid })}.${part(claims)}`
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
}
