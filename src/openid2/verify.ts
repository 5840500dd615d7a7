/**
 * Verifying an OpenID 2.0 positive assertion (§11): the mode, the signed fields, `return_to`,
 * `op_endpoint`, the `response_nonce` window and its one-time use, direct verification by
 * `check_authentication` (§11.4.2, no association kept), and the claimed identifier's provider.
 *
 * @module
 */
import { single } from '../app/callback.js'
import { ErrorCode, OAuthKitError } from '../errors/error.js'
import { providerText } from '../errors/provider-text.js'
import type { HttpClient } from '../http/client.js'
import type { ReplayGuard } from '../session/transaction.js'
import type { OpenIdIdentity } from '../types.js'
import { OPENID2_NS, type OpenIdAppConfig } from './config.js'
import { discover, normaliseClaimedId, withoutFragment } from './discovery.js'
import { nonceTime, parseKeyValueForm, returnToMatches, signedAttributes } from './message.js'

/** Fields every positive assertion must sign (§10.1); this RP also needs the identifiers signed. */
const REQUIRED_SIGNED = [
  'op_endpoint',
  'return_to',
  'response_nonce',
  'assoc_handle',
  'claimed_id',
  'identity',
] as const

/** Default seconds a `response_nonce` may be old or ahead. */
export const DEFAULT_NONCE_MAX_AGE = 300

/** What verifying one callback needs. */
export interface AssertionInput {
  app: string
  config: OpenIdAppConfig
  params: URLSearchParams
  /** The URL the callback arrived at. */
  current: URL
  /** The `return_to` this login sent: the redirect URI with its state. */
  returnTo: string
  http: HttpClient
  /** Nonces already used: the registry's replay guard (per process by default). */
  nonces: ReplayGuard
}

function invalid(app: string, why: string): OAuthKitError {
  return new OAuthKitError(
    ErrorCode.OPENID_ASSERTION_INVALID,
    `${app}: the OpenID assertion ${why}`,
    { app },
  )
}

/** The assertion's mode, refusing a cancel, an error and anything but a 2.0 `id_res`. */
function checkMode(app: string, params: URLSearchParams): void {
  const mode = single(params, 'openid.mode', app)
  if (mode === 'cancel')
    throw new OAuthKitError(
      ErrorCode.ACCESS_DENIED,
      `${app}: the user cancelled the OpenID login`,
      {
        app,
      },
    )
  if (mode === 'error' || mode === 'setup_needed') {
    const said = providerText(single(params, 'openid.error', app) ?? mode)
    throw new OAuthKitError(
      ErrorCode.AUTHORIZATION_ERROR,
      `${app}: the OpenID provider answered ${mode}${said ? `: ${said}` : ''}`,
      { app, error: mode, ...(said ? { errorDescription: said } : {}) },
    )
  }
  if (mode !== 'id_res')
    throw new OAuthKitError(
      ErrorCode.INVALID_AUTHORIZATION_RESPONSE,
      `${app}: the callback is not an OpenID positive assertion (openid.mode=id_res)`,
      { app },
    )
  if (single(params, 'openid.ns', app) !== OPENID2_NS)
    throw new OAuthKitError(
      ErrorCode.INVALID_AUTHORIZATION_RESPONSE,
      `${app}: the assertion is not OpenID 2.0 (openid.ns); OpenID 1.x is not supported`,
      { app },
    )
}

/** The checks that need no request: every required field present, signed and as this login expects. */
function checkFields(
  input: AssertionInput,
  now: number,
): { fields: Record<string, string>; signed: Set<string> } {
  const { app, params } = input
  for (const key of new Set(params.keys())) if (key.startsWith('openid.')) single(params, key, app)
  const signed = new Set((params.get('openid.signed') ?? '').split(','))
  const fields: Record<string, string> = {}
  for (const field of REQUIRED_SIGNED) {
    const value = params.get(`openid.${field}`)
    if (!value) throw invalid(app, `has no openid.${field}`)
    if (!signed.has(field)) throw invalid(app, `does not sign openid.${field} (openid.signed)`)
    fields[field] = value
  }
  if (!params.get('openid.sig')) throw invalid(app, 'has no signature (openid.sig)')
  if (
    !URL.canParse(fields.op_endpoint!) ||
    new URL(fields.op_endpoint!).href !== new URL(input.config.openIdEndpoint).href
  )
    throw invalid(
      app,
      "comes from another OP endpoint than this app's openIdEndpoint (op_endpoint)",
    )
  if (fields.return_to !== input.returnTo)
    throw invalid(app, "was made for another login or site (return_to differs from this login's)")
  if (!returnToMatches(fields.return_to!, input.current))
    throw invalid(app, 'return_to does not match the URL of this callback')
  const time = nonceTime(fields.response_nonce!)
  if (time === undefined) throw invalid(app, 'response_nonce is malformed')
  const window = (input.config.nonceMaxAge ?? DEFAULT_NONCE_MAX_AGE) * 1000
  if (now - time > window) throw invalid(app, 'response_nonce is stale')
  if (time - now > window) throw invalid(app, 'response_nonce is dated in the future')
  return { fields, signed }
}

/** Direct verification (§11.4.2): the provider must answer `is_valid:true` to the assertion as received. */
async function checkAuthentication(input: AssertionInput): Promise<void> {
  const { app, params } = input
  const body = new URLSearchParams()
  for (const [key, value] of params)
    if (key.startsWith('openid.') && key !== 'openid.mode') body.append(key, value)
  body.set('openid.mode', 'check_authentication')
  const response = await input.http.send(
    new Request(input.config.openIdEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    }),
    'check_authentication',
  )
  if (!response.ok)
    throw new OAuthKitError(
      ErrorCode.HTTP_ERROR,
      `${app}: the OpenID provider answered check_authentication with HTTP ${response.status}`,
      { app, status: response.status },
    )
  const answer = parseKeyValueForm(await response.text())
  if (answer === undefined)
    throw invalid(app, "check failed: the provider's answer is not key-value form")
  if (answer.get('is_valid') !== 'true')
    throw invalid(app, 'signature was not confirmed by the provider (is_valid is not true)')
  if (answer.has('ns') && answer.get('ns') !== OPENID2_NS)
    throw invalid(app, 'check failed: the answer is not OpenID 2.0')
}

/** The claimed identifier, normalised, once the provider is known to be allowed to assert it (§11.2). */
async function checkClaimedId(
  input: AssertionInput,
  fields: Record<string, string>,
): Promise<string> {
  const { app, config } = input
  const claimedId = normaliseClaimedId(fields.claimed_id!)
  if (claimedId === undefined)
    throw invalid(app, 'claimed_id is not an http(s) URL (XRIs are not supported)')
  const prefix = config.claimedIdPrefix
  if (prefix !== undefined && claimedId.startsWith(prefix) && !claimedId.includes('#')) {
    // The provider's own namespace (identifier_select there): it vouches for it as the OP-local id.
    if (fields.identity !== claimedId)
      throw invalid(app, "identity differs from its claimed_id in the provider's own namespace")
    return claimedId
  }
  const services = await discover(app, input.http, claimedId, config.allowInsecureRequests)
  const endpoint = new URL(config.openIdEndpoint).href
  const local = services.filter(
    (s) => URL.canParse(s.endpoint) && new URL(s.endpoint).href === endpoint,
  )
  if (local.length === 0)
    throw invalid(
      app,
      'claimed_id belongs to another OpenID provider (its discovery names another OP endpoint)',
    )
  if (!local.some((s) => (s.localId ?? withoutFragment(claimedId)) === fields.identity))
    throw invalid(app, 'identity is not the OP-local identifier discovered for its claimed_id')
  return claimedId
}

/** Verify a positive assertion; returns the identity. Nothing is remembered unless it is valid. */
export async function verifyAssertion(input: AssertionInput): Promise<OpenIdIdentity> {
  checkMode(input.app, input.params)
  const now = Date.now()
  const { fields, signed } = checkFields(input, now)
  await checkAuthentication(input)
  const claimedId = await checkClaimedId(input, fields)
  const window = (input.config.nonceMaxAge ?? DEFAULT_NONCE_MAX_AGE) * 1000
  // One-time (§11.3): kept until the nonce leaves the window, after which it is refused as stale anyway.
  const nonceKey = `oauthkit:openid2:nonce:${fields.op_endpoint} ${fields.response_nonce}`
  if (!(await input.nonces.use(nonceKey, nonceTime(fields.response_nonce!)! + window)))
    throw invalid(input.app, 'response_nonce was already used (replayed assertion)')
  return {
    claimed_id: claimedId,
    identity: fields.identity!,
    op_endpoint: fields.op_endpoint!,
    ...signedAttributes(input.params, signed),
  }
}
