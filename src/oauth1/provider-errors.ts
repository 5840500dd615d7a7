/**
 * What an OAuth 1 token endpoint answered: the form-encoded credentials of a success, or the
 * provider's own error, in the shapes OAuth 1 providers use, as a typed error.
 *
 * @module
 */
import { ErrorCode, OAuthKitError } from '../errors/error.js'
import { MAX_PROVIDER_TEXT, providerText } from '../errors/provider-text.js'
import { mediaType } from './signature.js'

/** The two token endpoints, as error messages name them. */
export type Endpoint = 'request token' | 'access token'

/** The fields of a token endpoint's successful answer: `oauth_token`, `oauth_token_secret` and the provider's extras. */
export type TokenFields = Record<string, string> & {
  oauth_token: string
  oauth_token_secret: string
}

/**
 * Read a token endpoint's response: its form fields, or a typed error (see {@link OAuth1App}'s docs).
 * `secrets` are what the exchange sent: never echoed into an error, even if the provider echoes them.
 */
export async function readTokenResponse(
  app: string,
  endpoint: Endpoint,
  response: Response,
  secrets: Array<string | undefined>,
): Promise<TokenFields> {
  const text = await response.text()
  if (!response.ok) throw endpointError(app, endpoint, response, text, secrets)
  const form = new URLSearchParams(text.trim())
  const tokenValue = form.getAll('oauth_token')
  const secretValue = form.getAll('oauth_token_secret')
  if (
    tokenValue.length !== 1 ||
    secretValue.length !== 1 ||
    !tokenValue[0] ||
    secretValue[0] === undefined
  ) {
    const problem = providerError(response.headers.get('content-type'), text, secrets)
    if (problem) throw endpointError(app, endpoint, response, text, secrets)
    throw new OAuthKitError(
      ErrorCode.INVALID_RESPONSE,
      `${app}: the ${endpoint} endpoint answered HTTP ${response.status} without a form-encoded oauth_token and oauth_token_secret`,
      { app, status: response.status },
    )
  }
  const fields: Record<string, string> = {}
  for (const [key, value] of form)
    if (!Object.hasOwn(fields, key) && key !== '__proto__') fields[key] = value
  return { ...fields, oauth_token: tokenValue[0], oauth_token_secret: secretValue[0] }
}

/** A token endpoint's refusal as a typed error keeping the provider's words. */
function endpointError(
  app: string,
  endpoint: Endpoint,
  response: Response,
  text: string,
  secrets: Array<string | undefined>,
): OAuthKitError {
  const status = response.status
  const problem = providerError(response.headers.get('content-type'), text, secrets)
  const refused =
    status === 401 || (problem !== undefined && (response.ok || (status >= 400 && status < 500)))
  const said = problem ? `: ${[problem.error, problem.description].filter(Boolean).join(': ')}` : ''
  return new OAuthKitError(
    refused ? ErrorCode.TOKEN_ERROR : ErrorCode.HTTP_ERROR,
    `${app}: the ${endpoint} endpoint ${refused ? 'refused the request' : 'failed'} with HTTP ${status}${said}`,
    {
      app,
      status,
      ...(problem?.error === undefined ? {} : { error: problem.error }),
      ...(problem?.description === undefined ? {} : { errorDescription: problem.description }),
    },
  )
}

/**
 * The provider's own error in a token endpoint body, in the shapes OAuth 1 providers use:
 * `oauth_problem=…&oauth_problem_advice=…` (OAuth Problem Reporting), Twitter's
 * `{"errors":[{"code":32,"message":"…"}]}`, `{"error":…,"error_description":…}` as JSON or (oauthlib)
 * as a form, `{"title","detail"}` (RFC 9457), or a short plain-text sentence.
 */
function providerError(
  contentType: string | null,
  text: string,
  secrets: Array<string | undefined>,
): { error?: string; description?: string } | undefined {
  const body = text.trim()
  if (body === '') return undefined
  const type = mediaType(contentType ?? '')
  const result = (error: unknown, description: unknown) => {
    const found = {
      error: providerText(error, secrets),
      description: providerText(description, secrets),
    }
    return found.error === undefined && found.description === undefined ? undefined : found
  }
  if (body.startsWith('{')) {
    let json: unknown
    try {
      json = JSON.parse(body)
    } catch {
      return undefined
    }
    if (typeof json !== 'object' || json === null) return undefined
    const o = json as Record<string, unknown>
    if (Array.isArray(o.errors) && o.errors.length > 0) {
      const errors = o.errors.filter(
        (e): e is Record<string, unknown> => typeof e === 'object' && e !== null,
      )
      const first = errors[0]
      const messages = errors
        .map((e) => e.message)
        .filter((m): m is string => typeof m === 'string')
      return result(first?.code, messages.join(' '))
    }
    if (typeof o.error === 'string') return result(o.error, o.error_description)
    if (typeof o.title === 'string' || typeof o.detail === 'string')
      return result(o.title, o.detail)
    return undefined
  }
  // Markup is a page, not an error report (but Twitter labels its form bodies text/html).
  if (body.startsWith('<')) return undefined
  const form = new URLSearchParams(body)
  if (form.has('oauth_problem'))
    return result(form.get('oauth_problem'), form.get('oauth_problem_advice'))
  // oauthlib's providers answer with OAuth 2's names in a form: error=invalid_request&error_description=…
  if (form.has('error')) return result(form.get('error'), form.get('error_description'))
  // A bare sentence ("Failed to validate oauth signature and token"), not form fields.
  if (
    (type === 'text/plain' || type === '') &&
    !body.includes('=') &&
    body.length <= MAX_PROVIDER_TEXT
  )
    return result(undefined, body)
  return undefined
}
