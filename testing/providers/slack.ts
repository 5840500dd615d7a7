/**
 * Slack emulation ("Sign in with Slack"): discovery at slack.com, `openid.connect.token` answering
 * without `token_type` and reporting errors as HTTP 200 `{ ok: false, error }`, ID tokens with
 * `nonce: ""` when no nonce was sent, and `openid.connect.userInfo` answering a bad or revoked token
 * with HTTP 200 `{ ok: false, error: "invalid_auth" | "token_revoked" }`.
 *
 * @module
 */
import { http, HttpResponse } from 'msw'
import { createEmulation, type EmulatedUser, type ProviderEmulation } from '../emulator.js'

const SLACK = 'https://slack.com'
const TOKEN = `${SLACK}/api/openid.connect.token`
const USERINFO = `${SLACK}/api/openid.connect.userInfo`

/** The default Slack test user (workspace `T0R7GR`). @group Testing */
export const SLACK_TEST_USER: EmulatedUser = {
  id: 'U0R7JM',
  team_id: 'T0R7GR',
  team_name: 'kraneflannel',
  team_domain: 'kraneflannel',
  email: 'krane@slack-corp.test',
  email_verified: true,
  name: 'krane',
  given_name: 'Bront',
  family_name: 'Labradoodle',
  picture: 'https://secure.gravatar.test/avatar/krane.png',
  locale: 'en-US',
}

/** A Slack emulation, which can also revoke a token. @group Testing */
export interface SlackEmulation extends ProviderEmulation {
  /** Revoke an access token: userinfo then answers `{ ok: false, error: "token_revoked" }`. */
  revoke(accessToken: string): void
}

/** Slack's names for the token errors (openid.connect.token). */
const SLACK_ERRORS: Record<string, string> = {
  invalid_grant: 'invalid_code',
  invalid_client: 'invalid_client_id',
  unsupported_grant_type: 'invalid_grant_type',
}

/**
 * Emulate Slack for the `slack` preset. With `tokenRotation`, tokens expire and come with a refresh
 * token (Slack's token rotation); without it (the default) there is no refresh token.
 * @group Testing
 */
export async function emulateSlack(
  options: { users?: EmulatedUser[]; tokenRotation?: boolean } = {},
): Promise<SlackEmulation> {
  const issued = new Set<string>()
  const revoked = new Set<string>()
  const claims = (user: EmulatedUser): Record<string, unknown> => ({
    'https://slack.com/user_id': user.id,
    'https://slack.com/team_id': user.team_id,
    email: user.email,
    email_verified: user.email_verified ?? false,
    date_email_verified: 1622128723,
    name: user.name,
    picture: user.picture,
    given_name: user.given_name,
    family_name: user.family_name,
    locale: user.locale,
    'https://slack.com/team_name': user.team_name,
    'https://slack.com/team_domain': user.team_domain,
  })
  const emulation = await createEmulation(
    {
      name: 'slack',
      authorizeUrl: `${SLACK}/openid/connect/authorize`,
      tokenUrl: TOKEN,
      issuer: SLACK,
      jwksUri: `${SLACK}/openid/connect/keys`,
      discoveryUrl: `${SLACK}/.well-known/openid-configuration`,
      metadata: {
        userinfo_endpoint: USERINFO,
        scopes_supported: ['openid', 'profile', 'email'],
        response_modes_supported: ['form_post'],
        grant_types_supported: ['authorization_code'],
        subject_types_supported: ['public'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
        claims_parameter_supported: false,
        request_parameter_supported: false,
        request_uri_parameter_supported: true,
      },
      idTokenClaims: claims,
      tokenResponse: async (ctx) => {
        issued.add(ctx.accessToken)
        // No token_type; and an empty nonce claim when the request had none.
        const body: Record<string, unknown> = {
          ok: true,
          access_token: ctx.accessToken,
          id_token: await ctx.idToken(ctx.nonce === undefined ? { nonce: '' } : {}),
        }
        if (options.tokenRotation)
          Object.assign(body, { refresh_token: ctx.refreshToken, expires_in: 43200 })
        return HttpResponse.json(body)
      },
      // Errors come with HTTP 200 in Slack's envelope, under Slack's own names.
      tokenError: (error) => HttpResponse.json({ ok: false, error: SLACK_ERRORS[error] ?? error }),
      api: { [USERINFO]: (user) => HttpResponse.json({ ok: true, sub: user.id, ...claims(user) }) },
    },
    options.users ?? [SLACK_TEST_USER],
  )
  // In front of the emulator's userinfo: Slack answers a bad token with HTTP 200 and ok: false.
  const envelope = http.get(USERINFO, ({ request }) => {
    const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.get('authorization') ?? '')?.[1]
    if (!bearer) return HttpResponse.json({ ok: false, error: 'not_authed' })
    if (revoked.has(bearer)) return HttpResponse.json({ ok: false, error: 'token_revoked' })
    if (!issued.has(bearer)) return HttpResponse.json({ ok: false, error: 'invalid_auth' })
    return undefined
  })
  return {
    ...emulation,
    handlers: [envelope, ...emulation.handlers],
    issueToken(user) {
      const token = emulation.issueToken(user)
      issued.add(token.access_token)
      return token
    },
    revoke(accessToken) {
      revoked.add(accessToken)
    },
  }
}
