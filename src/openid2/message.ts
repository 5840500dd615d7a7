/**
 * OpenID 2.0 messages: the `checkid_setup` request, key-value form, `response_nonce`, the `return_to`
 * and realm rules, and the signed AX / SREG attributes of a positive assertion.
 *
 * @module
 */
import type { OpenIdIdentity } from '../types.js'
import { AX_NS, IDENTIFIER_SELECT, OPENID2_NS, SREG_NS, type OpenIdAppConfig } from './config.js'

/** The `openid.*` parameters of a `checkid_setup` request (§9.1), AX and SREG included when asked for. */
export function checkidParams(
  config: OpenIdAppConfig,
  returnTo: string,
  realm: string,
): Record<string, string> {
  const identifier = config.identifier ?? IDENTIFIER_SELECT
  const params: Record<string, string> = {
    'openid.ns': OPENID2_NS,
    'openid.mode': 'checkid_setup',
    'openid.claimed_id': identifier,
    'openid.identity': identifier,
    'openid.return_to': returnTo,
    'openid.realm': realm,
  }
  const ax = Object.entries(config.ax ?? {})
  if (ax.length > 0) {
    params['openid.ns.ax'] = AX_NS
    params['openid.ax.mode'] = 'fetch_request'
    for (const [alias, uri] of ax) params[`openid.ax.type.${alias}`] = uri
    const required = ax.filter(([alias]) => config.axRequired?.includes(alias))
    const optional = ax.filter(([alias]) => !config.axRequired?.includes(alias))
    if (required.length) params['openid.ax.required'] = required.map(([a]) => a).join(',')
    if (optional.length) params['openid.ax.if_available'] = optional.map(([a]) => a).join(',')
  }
  if (config.sreg?.length || config.sregRequired?.length) {
    params['openid.ns.sreg'] = SREG_NS[0]!
    if (config.sregRequired?.length) params['openid.sreg.required'] = config.sregRequired.join(',')
    if (config.sreg?.length) params['openid.sreg.optional'] = config.sreg.join(',')
  }
  return params
}

/** Key-value form (§4.1.1): `key:value` lines. Undefined when the text is not that form. */
export function parseKeyValueForm(text: string): Map<string, string> | undefined {
  const fields = new Map<string, string>()
  for (const line of text.split('\n')) {
    if (line === '') continue
    const colon = line.indexOf(':')
    if (colon < 1) return undefined
    const key = line.slice(0, colon)
    // A repeated key could hide a second answer behind the first: the form has none.
    if (fields.has(key)) return undefined
    fields.set(key, line.slice(colon + 1))
  }
  return fields
}

const NONCE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z[\x21-\x7e]*$/

/** The time of a `response_nonce` (§10.1: UTC time, `Z`, then unique ASCII), in ms, or undefined. */
export function nonceTime(nonce: string): number | undefined {
  const m = NONCE.exec(nonce)
  if (!m || nonce.length > 255) return undefined
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  const time = Date.UTC(year, month - 1, day, hour, minute, second)
  const back = new Date(time)
  // Date.UTC rolls over (month 13, second 61): only a real instant is a valid nonce time.
  if (
    back.getUTCMonth() !== month - 1 ||
    back.getUTCDate() !== day ||
    back.getUTCSeconds() !== second
  )
    return undefined
  return time
}

/**
 * §11.1: the `return_to` of the assertion names the URL this callback arrived at: same scheme,
 * authority and path, and every query parameter of `return_to` in the current URL with its value.
 */
export function returnToMatches(returnTo: string, current: URL): boolean {
  if (!URL.canParse(returnTo)) return false
  const expected = new URL(returnTo)
  if (
    expected.protocol !== current.protocol ||
    expected.host !== current.host ||
    expected.pathname !== current.pathname
  )
    return false
  for (const key of new Set(expected.searchParams.keys())) {
    const want = expected.searchParams.getAll(key)
    const got = current.searchParams.getAll(key)
    if (want.length !== got.length || want.some((value, i) => got[i] !== value)) return false
  }
  return true
}

/** §9.2.1: `returnTo` falls under `realm` (scheme and port equal, host equal or under `*.`, path under). */
export function realmCovers(realm: string, returnTo: string): boolean {
  const wildcard = realm.includes('://*.')
  const r = new URL(realm.replace('://*.', '://wildcard.'))
  const u = new URL(returnTo)
  if (r.protocol !== u.protocol || r.port !== u.port) return false
  const host = r.hostname.replace(/^wildcard\./, '')
  if (
    wildcard ? !(u.hostname === host || u.hostname.endsWith(`.${host}`)) : u.hostname !== r.hostname
  )
    return false
  const base = r.pathname
  return u.pathname === base || u.pathname.startsWith(base.endsWith('/') ? base : `${base}/`)
}

/** The alias whose `openid.ns.<alias>` is one of `namespaces` and is signed, if any. */
function signedAlias(
  params: URLSearchParams,
  signed: ReadonlySet<string>,
  namespaces: readonly string[],
): string | undefined {
  for (const [key, value] of params) {
    if (!key.startsWith('openid.ns.') || !namespaces.includes(value)) continue
    const alias = key.slice('openid.ns.'.length)
    if (signed.has(`ns.${alias}`)) return alias
  }
  return undefined
}

/**
 * The AX and SREG attributes of an assertion, only those the provider signed: an unsigned field was
 * not covered by `check_authentication` and could have been added by anyone on the way.
 */
export function signedAttributes(
  params: URLSearchParams,
  signed: ReadonlySet<string>,
): Pick<OpenIdIdentity, 'ax' | 'sreg'> {
  const result: Pick<OpenIdIdentity, 'ax' | 'sreg'> = {}
  const value = (field: string) => (signed.has(field) ? params.get(`openid.${field}`) : null)
  const ax = signedAlias(params, signed, [AX_NS])
  if (ax !== undefined && value(`${ax}.mode`) === 'fetch_response') {
    const attributes: Record<string, string[]> = {}
    for (const [key, uri] of params) {
      const prefix = `openid.${ax}.type.`
      if (!key.startsWith(prefix) || !signed.has(key.slice(7))) continue
      const alias = key.slice(prefix.length)
      const countText = value(`${ax}.count.${alias}`)
      const values: string[] = []
      if (countText === null) {
        const one = value(`${ax}.value.${alias}`)
        if (one !== null) values.push(one)
      } else {
        const count = /^\d{1,3}$/.test(countText) ? Number(countText) : 0
        for (let i = 1; i <= count; i++) {
          const item = value(`${ax}.value.${alias}.${i}`)
          if (item !== null) values.push(item)
        }
      }
      if (values.length > 0) attributes[uri] = values
    }
    if (Object.keys(attributes).length > 0) result.ax = attributes
  }
  const sreg = signedAlias(params, signed, SREG_NS)
  if (sreg !== undefined) {
    const fields: Record<string, string> = {}
    for (const [key] of params) {
      const prefix = `openid.${sreg}.`
      if (!key.startsWith(prefix)) continue
      const field = key.slice(prefix.length)
      const text = value(`${sreg}.${field}`)
      if (text !== null && /^[a-z]+$/.test(field)) fields[field] = text
    }
    if (Object.keys(fields).length > 0) result.sreg = fields
  }
  return result
}
