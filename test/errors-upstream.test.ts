/**
 * Pins every translation in src/errors/upstream.ts against errors oauth4webapi really throws (made by
 * calling it with crafted responses, not by constructing its classes), so an oauth4webapi upgrade that
 * changes an error class, code or message text fails here, by name.
 */
import * as jose from 'jose'
import * as oauth from 'oauth4webapi'
import { describe, expect, it } from 'vitest'
import { ErrorCode, OAuthKitError, isOAuthKitError } from '../src/index.js'
import {
  authorizationResponseError,
  implicitRefused,
  sanitize,
  toOAuthKitError,
  tokenEndpointError,
  userinfoError,
} from '../src/errors/upstream.js'

const as: oauth.AuthorizationServer = {
  issuer: 'https://idp.test',
  token_endpoint: 'https://idp.test/token',
  userinfo_endpoint: 'https://idp.test/userinfo',
}
const client: oauth.Client = { client_id: 'app' }
const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  })

/** What oauth4webapi throws for `run`. */
async function thrown(run: () => unknown): Promise<unknown> {
  try {
    await run()
  } catch (error) {
    return error
  }
  throw new Error('oauth4webapi accepted what it should refuse')
}
const tokenResponse = (response: Response) =>
  thrown(() => oauth.processAuthorizationCodeResponse(as, client, response))
const callback = (params: Record<string, string>, server: oauth.AuthorizationServer = as) =>
  thrown(() => oauth.validateAuthResponse(server, client, new URLSearchParams(params), 'state-1'))

async function idToken(claims: Record<string, unknown>): Promise<string> {
  const { privateKey } = await jose.generateKeyPair('RS256')
  const now = Math.floor(Date.now() / 1000)
  return new jose.SignJWT({
    iss: as.issuer,
    sub: 'u1',
    aud: 'app',
    iat: now,
    exp: now + 60,
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256' })
    .sign(privateKey)
}

describe('toOAuthKitError: what each oauth4webapi failure becomes', () => {
  it('ResponseBodyError: token_error with the provider error, access_denied, and per-step codes', async () => {
    const error = await tokenResponse(
      json({ error: 'invalid_grant', error_description: 'code used' }, 400),
    )
    expect(error).toBeInstanceOf(oauth.ResponseBodyError)
    const mapped = toOAuthKitError(error, 'app', 'token')
    expect(mapped).toMatchObject({
      code: ErrorCode.TOKEN_ERROR,
      error: 'invalid_grant',
      errorDescription: 'code used',
      status: 400,
    })
    expect(mapped.message).toBe(
      'app: the token endpoint answered with error "invalid_grant": code used',
    )
    expect(
      toOAuthKitError(await tokenResponse(json({ error: 'access_denied' }, 400)), 'app', 'token')
        .code,
    ).toBe(ErrorCode.ACCESS_DENIED)
    expect(toOAuthKitError(error, 'app', 'metadata').code).toBe(ErrorCode.METADATA_INVALID)
    expect(toOAuthKitError(error, 'app', 'userinfo').code).toBe(ErrorCode.USERINFO_INVALID)
  })

  it('ResponseBodyError: secrets the provider echoes are removed from the error', async () => {
    const error = await tokenResponse(
      json({ error: 'invalid_grant', error_description: 'code abc-secret-code is spent' }, 400),
    )
    const mapped = toOAuthKitError(error, 'app', 'token', ['abc-secret-code'])
    expect(JSON.stringify([mapped.message, mapped.errorDescription])).not.toContain(
      'abc-secret-code',
    )
  })

  it('WWWAuthenticateChallengeError: token_error with the challenge error on token steps, userinfo_invalid, else http_error', async () => {
    const challenge = () =>
      json({}, 401, {
        'www-authenticate': 'Bearer error="invalid_client", error_description="who are you"',
      })
    const error = await tokenResponse(challenge())
    expect(error).toBeInstanceOf(oauth.WWWAuthenticateChallengeError)
    expect(toOAuthKitError(error, 'app', 'token')).toMatchObject({
      code: ErrorCode.TOKEN_ERROR,
      error: 'invalid_client',
      errorDescription: 'who are you',
      status: 401,
    })
    expect(toOAuthKitError(error, 'app', 'userinfo').code).toBe(ErrorCode.USERINFO_INVALID)
    expect(toOAuthKitError(error, 'app', 'jwks').code).toBe(ErrorCode.HTTP_ERROR)
    const bare = await tokenResponse(json({}, 401, { 'www-authenticate': 'Bearer realm="x"' }))
    expect(toOAuthKitError(bare, 'app', 'token').code).toBe(ErrorCode.HTTP_ERROR)
  })

  it('UnsupportedOperationError about token_type: unsupported_token_type', async () => {
    const error = await tokenResponse(json({ access_token: 'at', token_type: 'mac' }))
    expect(error).toBeInstanceOf(oauth.UnsupportedOperationError)
    expect((error as Error).message).toMatch(/token_type/)
    expect(toOAuthKitError(error, 'app', 'token').code).toBe(ErrorCode.UNSUPPORTED_TOKEN_TYPE)
  })

  it('OperationProcessingError RESPONSE_IS_NOT_CONFORM: http_error with the status (metadata_invalid for metadata)', async () => {
    const error = await tokenResponse(new Response('<html>down</html>', { status: 502 }))
    expect(error).toBeInstanceOf(oauth.OperationProcessingError)
    expect((error as oauth.OperationProcessingError).code).toBe(oauth.RESPONSE_IS_NOT_CONFORM)
    expect(toOAuthKitError(error, 'app', 'token')).toMatchObject({
      code: ErrorCode.HTTP_ERROR,
      status: 502,
      message: 'app: the token endpoint answered with unexpected HTTP status 502',
    })
    expect(toOAuthKitError(error, 'app', 'metadata').code).toBe(ErrorCode.METADATA_INVALID)
  })

  it('OperationProcessingError about the ID token: id_token_invalid on token and refresh steps only', async () => {
    const error = await tokenResponse(
      json({
        access_token: 'at',
        token_type: 'bearer',
        id_token: await idToken({ aud: 'someone-else' }),
      }),
    )
    expect(error).toBeInstanceOf(oauth.OperationProcessingError)
    expect((error as oauth.OperationProcessingError).code).toBe(oauth.JWT_CLAIM_COMPARISON)
    expect(toOAuthKitError(error, 'app', 'token').code).toBe(ErrorCode.ID_TOKEN_INVALID)
    expect(toOAuthKitError(error, 'app', 'refresh').code).toBe(ErrorCode.ID_TOKEN_INVALID)
    expect(toOAuthKitError(error, 'app', 'introspection').code).toBe(ErrorCode.INVALID_RESPONSE)
    const expired = await tokenResponse(
      json({ access_token: 'at', token_type: 'bearer', id_token: await idToken({ exp: 1 }) }),
    )
    expect((expired as oauth.OperationProcessingError).code).toBe(oauth.JWT_TIMESTAMP_CHECK)
    expect(toOAuthKitError(expired, 'app', 'token').code).toBe(ErrorCode.ID_TOKEN_INVALID)
  })

  it('another OperationProcessingError: invalid_response (metadata_invalid, userinfo_invalid by step)', async () => {
    const error = await tokenResponse(json({ token_type: 'bearer' }))
    expect(error).toBeInstanceOf(oauth.OperationProcessingError)
    expect(toOAuthKitError(error, 'app', 'token')).toMatchObject({
      code: ErrorCode.INVALID_RESPONSE,
    })
    expect(toOAuthKitError(error, 'app', 'token').message).toMatch(
      /^app: invalid token endpoint response: /,
    )
    expect(toOAuthKitError(error, 'app', 'metadata').code).toBe(ErrorCode.METADATA_INVALID)
    expect(toOAuthKitError(error, 'app', 'userinfo').code).toBe(ErrorCode.USERINFO_INVALID)
  })

  it('an argument TypeError with a code: invalid_request; anything else: invalid_response; ours pass through', async () => {
    const error = await thrown(() =>
      oauth.validateAuthResponse(as, client, 'not params' as unknown as URLSearchParams, 'state-1'),
    )
    expect(error).toBeInstanceOf(TypeError)
    expect(typeof (error as { code?: unknown }).code).toBe('string')
    expect(toOAuthKitError(error, 'app', 'token').code).toBe(ErrorCode.INVALID_REQUEST)
    expect(toOAuthKitError(new Error('boom'), 'app', 'jwks')).toMatchObject({
      code: ErrorCode.INVALID_RESPONSE,
      message: 'app: the JWKS endpoint step failed: boom',
    })
    const ours = new OAuthKitError(ErrorCode.TIMEOUT, 'app: slow')
    expect(toOAuthKitError(ours, 'app', 'token')).toBe(ours)
  })

  it('sanitize keeps name, code and message only (no response body, no claims)', async () => {
    const error = await tokenResponse(
      json({ error: 'invalid_grant', secret_field: 'at-secret' }, 400),
    )
    const copy = sanitize(error)!
    expect(copy).toMatchObject({ name: 'ResponseBodyError', message: (error as Error).message })
    expect(copy.cause).toBeUndefined()
    expect(JSON.stringify(copy)).not.toContain('at-secret')
    expect(sanitize('not an error')).toBeUndefined()
  })
})

describe('authorizationResponseError: what a refused callback becomes', () => {
  it('the provider error: access_denied, or authorization_error with its words', async () => {
    expect(
      authorizationResponseError(
        await callback({ error: 'access_denied', state: 'state-1' }),
        'app',
      ).code,
    ).toBe(ErrorCode.ACCESS_DENIED)
    const other = authorizationResponseError(
      await callback({ error: 'server_error', error_description: 'try later', state: 'state-1' }),
      'app',
    )
    expect(other).toMatchObject({
      code: ErrorCode.AUTHORIZATION_ERROR,
      error: 'server_error',
      errorDescription: 'try later',
    })
  })

  it('RFC 9207: a missing iss is issuer_missing, another iss is issuer_mismatch (matched on oauth4webapi message text)', async () => {
    const strict = { ...as, authorization_response_iss_parameter_supported: true }
    const missing = await callback({ code: 'c', state: 'state-1' }, strict)
    expect((missing as Error).message).toMatch(/"iss" \(issuer\) missing/)
    expect(authorizationResponseError(missing, 'app').code).toBe(ErrorCode.ISSUER_MISSING)
    const wrong = await callback({ code: 'c', state: 'state-1', iss: 'https://evil.test' })
    expect((wrong as Error).message).toMatch(/"iss" \(issuer\)/)
    expect(authorizationResponseError(wrong, 'app').code).toBe(ErrorCode.ISSUER_MISMATCH)
  })

  it('another malformed callback is invalid_authorization_response; an implicit response is refused', async () => {
    expect(
      authorizationResponseError(await callback({ code: 'c', state: 'another' }), 'app').code,
    ).toBe(ErrorCode.INVALID_AUTHORIZATION_RESPONSE)
    const implicit = await callback({ id_token: 'x.y.z', code: 'c', state: 'state-1' })
    expect(implicit).toBeInstanceOf(oauth.UnsupportedOperationError)
    expect(authorizationResponseError(implicit, 'app')).toMatchObject({
      code: ErrorCode.UNSUPPORTED_OPERATION,
      message: implicitRefused('app').message,
    })
  })
})

describe('userinfo and token endpoint errors', () => {
  it("a userinfo sub other than the ID token one is userinfo_invalid (matched on oauth4webapi's code and attribute); a missing sub is an invalid response", async () => {
    const error = await thrown(() =>
      oauth.processUserInfoResponse(as, client, 'u1', json({ sub: 'u2' })),
    )
    expect(error).toMatchObject({
      code: oauth.JSON_ATTRIBUTE_COMPARISON,
      cause: { attribute: 'sub' },
    })
    expect(userinfoError(error, 'app', [])).toMatchObject({
      code: ErrorCode.USERINFO_INVALID,
      message: "app: the userinfo sub differs from the ID token's sub",
    })
    const other = await thrown(() =>
      oauth.processUserInfoResponse(as, client, oauth.skipSubjectCheck, json({ name: 'no sub' })),
    )
    expect(userinfoError(other, 'app', []).code).toBe(ErrorCode.USERINFO_INVALID)
    expect(userinfoError(other, 'app', []).message).toMatch(/^app: invalid userinfo response: /)
  })

  it('tokenEndpointError reads the OAuth error of a token endpoint body, and nothing else', async () => {
    const error = await tokenResponse(
      json({ error: 'authorization_pending', error_description: 'wait' }, 400),
    )
    expect(tokenEndpointError(error)).toEqual({
      error: 'authorization_pending',
      description: 'wait',
      status: 400,
    })
    expect(tokenEndpointError(new Error('x'))).toBeUndefined()
    expect(isOAuthKitError(toOAuthKitError(error, 'app', 'device'))).toBe(true)
  })
})
