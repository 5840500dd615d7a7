/**
 * What presets of providers with their own error envelopes share: reading a response's JSON object
 * without consuming it, and answering in the standard's words instead (RFC 6749 §5.2 token errors,
 * RFC 6750 §3 challenges), so the core's error codes and its refresh on `invalid_token` apply.
 *
 * @module
 */

/** The response's JSON object body, read from a copy; undefined when it is not one. */
export async function jsonObject(response: Response): Promise<Record<string, unknown> | undefined> {
  try {
    const body: unknown = JSON.parse(await response.clone().text())
    return typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

/** An RFC 6749 §5.2 token error: JSON with `error` (and a description), HTTP 400 (401 for invalid_client). */
export function tokenError(error: string, description?: string): Response {
  return Response.json(
    description === undefined ? { error } : { error, error_description: description },
    { status: error === 'invalid_client' ? 401 : 400 },
  )
}

/**
 * An RFC 6750 §3 refusal: 401 with `Bearer error="invalid_token"` (the core then refreshes and
 * retries once), or 403 with `insufficient_scope`; the provider's words as the description.
 */
export function bearerRefusal(
  error: 'invalid_token' | 'insufficient_scope',
  description: string,
): Response {
  const safe = description.replace(/[^\x20-\x7e]|["\\]/g, '').slice(0, 200)
  return new Response(null, {
    status: error === 'invalid_token' ? 401 : 403,
    headers: { 'www-authenticate': `Bearer error="${error}", error_description="${safe}"` },
  })
}
