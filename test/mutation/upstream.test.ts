/**
 * src/errors/upstream.ts, what test/errors-upstream.test.ts and test/mutation/http.test.ts leave
 * unpinned: the words of every step, the registration code, a provider error without a
 * description, the exact messages of a refused callback, the userinfo `sub` check's three
 * conditions, and `tokenEndpointError` without a description.
 */
import * as oauth from 'oauth4webapi'
import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/index.js'
import {
  authorizationResponseError,
  implicitRefused,
  toOAuthKitError,
  tokenEndpointError,
  userinfoError,
  type Step,
} from '../../src/errors/upstream.js'

const as: oauth.AuthorizationServer = { issuer: 'https://idp.test' }
const bodyError = (cause: { error: string; error_description?: string }, status = 400) =>
  new oauth.ResponseBodyError('server responded with an error in the response body', {
    cause,
    response: new Response(null, { status }),
  })
/** What oauth4webapi's `validateAuthResponse` throws for these callback parameters. */
function refusedCallback(
  params: Record<string, string>,
  server: oauth.AuthorizationServer = as,
): unknown {
  try {
    oauth.validateAuthResponse(server, { client_id: 'app' }, new URLSearchParams(params), 's')
  } catch (error) {
    return error
  }
  throw new Error('oauth4webapi accepted the callback')
}

describe('the words of each step', () => {
  it('every step is named in the message of an error it threw', () => {
    const words: Record<Step, string> = {
      metadata: 'server metadata endpoint',
      jwks: 'JWKS endpoint',
      token: 'token endpoint',
      refresh: 'token endpoint',
      userinfo: 'userinfo endpoint',
      revocation: 'revocation endpoint',
      introspection: 'introspection endpoint',
      device: 'device authorization endpoint',
      request_token: 'request token endpoint',
      registration: 'client registration endpoint',
      api: 'API',
      check_authentication: 'OpenID provider (check_authentication)',
      discovery: 'claimed identifier (discovery)',
      par: 'pushed authorization request endpoint',
    }
    for (const [step, where] of Object.entries(words) as Array<[Step, string]>) {
      expect(toOAuthKitError(new Error('boom'), 'idp', step), step).toMatchObject({
        code: ErrorCode.INVALID_RESPONSE,
        message: `idp: the ${where} step failed: boom`,
      })
    }
  })
})

describe('a provider error body', () => {
  it('at the registration endpoint is registration_error; at the other non-token steps token_error', () => {
    const error = bodyError({ error: 'invalid_redirect_uri', error_description: 'no' })
    expect(toOAuthKitError(error, 'idp', 'registration')).toMatchObject({
      code: ErrorCode.REGISTRATION_ERROR,
      message: 'idp: the client registration endpoint answered with error "invalid_redirect_uri": no',
      status: 400,
    })
    for (const step of ['par', 'device', 'revocation', 'introspection'] as const)
      expect(toOAuthKitError(error, 'idp', step).code, step).toBe(ErrorCode.TOKEN_ERROR)
  })

  it('without a description, the message ends with the error', () => {
    expect(toOAuthKitError(bodyError({ error: 'invalid_grant' }), 'idp', 'token')).toMatchObject({
      code: ErrorCode.TOKEN_ERROR,
      message: 'idp: the token endpoint answered with error "invalid_grant"',
      errorDescription: undefined,
    })
  })

  it('without secrets to remove, the provider text is kept whole', () => {
    const error = bodyError({ error: 'invalid_grant', error_description: 'Stryker was here' })
    expect(toOAuthKitError(error, 'idp', 'token')).toMatchObject({
      errorDescription: 'Stryker was here',
      message: 'idp: the token endpoint answered with error "invalid_grant": Stryker was here',
    })
  })
})

describe('a processing error at the metadata step', () => {
  it('is metadata_invalid with the exact message', () => {
    expect(
      toOAuthKitError(new oauth.OperationProcessingError('bad metadata'), 'idp', 'metadata'),
    ).toMatchObject({
      code: ErrorCode.METADATA_INVALID,
      app: 'idp',
      message: 'idp: invalid server metadata: bad metadata',
    })
  })
})

describe('a refused callback', () => {
  it('the implicit and hybrid grants: the exact message, with the app', () => {
    const implicit = refusedCallback({ id_token: 'x.y.z', code: 'c', state: 's' })
    expect(implicit).toBeInstanceOf(oauth.UnsupportedOperationError)
    for (const err of [implicitRefused('idp'), authorizationResponseError(implicit, 'idp')]) {
      expect(err).toMatchObject({
        code: ErrorCode.UNSUPPORTED_OPERATION,
        app: 'idp',
        message:
          'idp: the implicit and hybrid grants are refused (RFC 9700 §2.1.2): use the authorization code grant with PKCE, which authorizeRedirect does',
      })
    }
  })

  it('RFC 9207 and other malformed callbacks: exact messages, with the app', () => {
    const strict = { ...as, authorization_response_iss_parameter_supported: true }
    expect(
      authorizationResponseError(refusedCallback({ code: 'c', state: 's' }, strict), 'idp'),
    ).toMatchObject({
      code: ErrorCode.ISSUER_MISSING,
      app: 'idp',
      message:
        'idp: the callback has no iss parameter, but the provider advertises it (RFC 9207)',
    })
    const wrong = refusedCallback({ code: 'c', state: 's', iss: 'https://evil.test' })
    expect(authorizationResponseError(wrong, 'idp')).toMatchObject({
      code: ErrorCode.ISSUER_MISMATCH,
      app: 'idp',
      message:
        "idp: the callback's iss is not the expected issuer (RFC 9207; possible mix-up attack)",
    })
    const other = refusedCallback({ code: 'c', state: 'another' })
    expect(other).toBeInstanceOf(oauth.OperationProcessingError)
    expect(authorizationResponseError(other, 'idp')).toMatchObject({
      code: ErrorCode.INVALID_AUTHORIZATION_RESPONSE,
      app: 'idp',
      message: `idp: invalid authorization response: ${(other as Error).message}`,
    })
  })

  it('anything else is translated as a token step failure, not as the implicit grant', () => {
    expect(authorizationResponseError(new Error('boom'), 'idp')).toMatchObject({
      code: ErrorCode.INVALID_RESPONSE,
      app: 'idp',
      message: 'idp: the token endpoint step failed: boom',
    })
  })
})

describe('userinfoError', () => {
  const sub = new oauth.OperationProcessingError('unexpected JSON attribute value', {
    code: oauth.JSON_ATTRIBUTE_COMPARISON,
    cause: { attribute: 'sub', body: { sub: 'secret-sub' } },
  })

  it("a sub that is not the ID token's names the app and keeps a sanitised cause", () => {
    const err = userinfoError(sub, 'idp', [])
    expect(err).toMatchObject({
      code: ErrorCode.USERINFO_INVALID,
      app: 'idp',
      message: "idp: the userinfo sub differs from the ID token's sub",
    })
    expect(err.cause).toBeInstanceOf(Error)
    expect(err.cause).not.toBe(sub)
    expect(err.cause).toMatchObject({ name: 'OperationProcessingError', message: sub.message })
    expect((err.cause as Error).cause).toBeUndefined()
  })

  it('needs all three: a processing error, the comparison code and the sub attribute', () => {
    const cases = [
      // Another code about the sub attribute.
      new oauth.OperationProcessingError('bad sub', {
        code: oauth.JSON_ATTRIBUTE_COMPARISON.replace('COMPARISON', 'OTHER'),
        cause: { attribute: 'sub' },
      }),
      // The comparison code about another attribute.
      new oauth.OperationProcessingError('bad name', {
        code: oauth.JSON_ATTRIBUTE_COMPARISON,
        cause: { attribute: 'name' },
      }),
      // The comparison code without a cause.
      new oauth.OperationProcessingError('bad', { code: oauth.JSON_ATTRIBUTE_COMPARISON }),
    ]
    for (const error of cases) {
      expect(userinfoError(error, 'idp', []), error.message).toMatchObject({
        code: ErrorCode.USERINFO_INVALID,
        message: `idp: invalid userinfo response: ${error.message}`,
      })
    }
    const notProcessing = Object.assign(new Error('boom'), { code: oauth.JSON_ATTRIBUTE_COMPARISON })
    expect(userinfoError(notProcessing, 'idp', []).message).toBe(
      'idp: the userinfo endpoint step failed: boom',
    )
  })
})

describe('tokenEndpointError', () => {
  it('has no description key when the provider gave none (or only unprintable text)', () => {
    for (const cause of [{ error: 'slow_down' }, { error: 'slow_down', error_description: '\u0007' }])
      expect(tokenEndpointError(bodyError(cause, 400))).toStrictEqual({
        error: 'slow_down',
        status: 400,
      })
  })
})
