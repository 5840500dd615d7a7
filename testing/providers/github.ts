/**
 * GitHub emulation: form-or-JSON token responses with errors on HTTP 200, a User-Agent required on
 * API calls, and private emails that only `/user/emails` reveals.
 *
 * @module
 */
import { HttpResponse } from 'msw'
import { createEmulation, type EmulatedUser, type ProviderEmulation } from '../emulator.js'

/** The default GitHub test user: its email is private, so it comes from `/user/emails`. @group Testing */
export const GITHUB_TEST_USER: EmulatedUser = {
  id: '583231',
  login: 'octocat',
  name: 'The Octocat',
  email: 'octocat@github.test',
  email_verified: true,
  public_email: null,
}

/**
 * Emulate github.com (or a GitHub Enterprise Server at `enterpriseUrl`) for the `github` preset.
 * A user's `public_email` (default null: private) is what `/user` shows; `email` is the primary.
 * @group Testing
 */
export function emulateGitHub(
  options: { users?: EmulatedUser[]; enterpriseUrl?: string } = {},
): Promise<ProviderEmulation> {
  const base = (options.enterpriseUrl ?? 'https://github.com').replace(/\/+$/, '')
  const api = options.enterpriseUrl ? `${base}/api/v3` : 'https://api.github.com'
  const wantsJson = (request: Request) => (request.headers.get('accept') ?? '').includes('json')
  const answer = (body: Record<string, string>, request: Request) =>
    wantsJson(request)
      ? HttpResponse.json(body)
      : new HttpResponse(new URLSearchParams(body).toString(), {
          headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        })
  // GitHub refuses API calls without a User-Agent.
  const requireAgent = (request: Request) =>
    request.headers.get('user-agent')
      ? undefined
      : new HttpResponse(
          'Request forbidden by administrative rules. Please make sure your request has a User-Agent header',
          { status: 403 },
        )
  return createEmulation(
    {
      name: 'github',
      authorizeUrl: `${base}/login/oauth/authorize`,
      tokenUrl: `${base}/login/oauth/access_token`,
      tokenResponse: (ctx, request) =>
        answer(
          {
            access_token: ctx.accessToken,
            token_type: 'bearer',
            scope: ctx.scope.replace(/ /g, ','),
          },
          request,
        ),
      // Errors come with HTTP 200.
      tokenError: (error, description, request) =>
        answer(
          {
            error,
            error_description: description,
            error_uri: 'https://docs.github.com/apps/troubleshooting',
          },
          request,
        ),
      api: {
        [`${api}/user`]: (user, request) =>
          requireAgent(request) ??
          HttpResponse.json({
            id: Number(user.id),
            login: user.login,
            name: user.name ?? null,
            email: (user.public_email as string | null | undefined) ?? null,
            avatar_url: `https://avatars.github.test/u/${user.id}`,
          }),
        [`${api}/user/emails`]: (user, request) =>
          requireAgent(request) ??
          HttpResponse.json(
            user.email
              ? [
                  {
                    email: user.email,
                    primary: true,
                    verified: user.email_verified ?? true,
                    visibility: user.public_email ? 'public' : 'private',
                  },
                ]
              : [],
          ),
      },
    },
    options.users ?? [GITHUB_TEST_USER],
  )
}
