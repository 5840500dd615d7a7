/**
 * Facebook emulation: versioned Graph paths, client_secret as a token request parameter, token errors
 * as Graph error objects, `/me` answering only the requested `fields`, and (optionally) calls refused
 * without a valid `appsecret_proof`.
 *
 * @module
 */
import { createHmac } from 'node:crypto'
import { HttpResponse } from 'msw'
import { createEmulation, type EmulatedUser, type ProviderEmulation } from '../emulator.js'

/** The default Facebook test user (has an email and a picture). @group Testing */
export const FACEBOOK_TEST_USER: EmulatedUser = {
  id: '10160000000000001',
  name: 'Mark Testuser',
  email: 'mark@facebook.test',
  picture: 'https://scontent.fbcdn.test/v/p50x50/mark.jpg',
}

/** Options of {@link emulateFacebook}. @group Testing */
export interface FacebookEmulationOptions {
  users?: EmulatedUser[]
  /** Default `v26.0`, like the preset. */
  graphVersion?: string
  /** The app secret the token endpoint expects (and `appsecret_proof` is keyed with). Default `fb-secret`. */
  appSecret?: string
  /** Refuse Graph calls without a valid `appsecret_proof` ("Require App Secret"). Default false. */
  requireAppsecretProof?: boolean
}

const graphError = (message: string, code: number, status = 400) =>
  HttpResponse.json(
    { error: { message, type: 'OAuthException', code, fbtrace_id: 'AbCdEfGh' } },
    { status },
  )

/**
 * Emulate Facebook Login and the Graph API for the `facebook` preset. A user's `email` (optional) and
 * `picture` (optional: without it `/me` returns the default silhouette) are what `/me` shows.
 * @group Testing
 */
export function emulateFacebook(
  options: FacebookEmulationOptions = {},
): Promise<ProviderEmulation> {
  const version = options.graphVersion ?? 'v26.0'
  const graph = `https://graph.facebook.com/${version}`
  const secret = options.appSecret ?? 'fb-secret'
  return createEmulation(
    {
      name: 'facebook',
      authorizeUrl: `https://www.facebook.com/${version}/dialog/oauth`,
      tokenUrl: `${graph}/oauth/access_token`,
      checkTokenRequest: (_request, params) =>
        params.get('client_secret') === secret
          ? undefined
          : graphError('Error validating client secret.', 1),
      tokenResponse: (ctx) =>
        HttpResponse.json({
          access_token: ctx.accessToken,
          token_type: 'bearer',
          expires_in: 5183944,
        }),
      // Graph error objects, not RFC 6749 §5.2.
      tokenError: (_error, description) =>
        graphError(
          description === 'redirect_uri mismatch'
            ? 'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request'
            : 'This authorization code has been used.',
          100,
        ),
      api: {
        [`${graph}/me`]: (user, request) => {
          const url = new URL(request.url)
          if (options.requireAppsecretProof) {
            const token =
              /^Bearer\s+(.+)$/i.exec(request.headers.get('authorization') ?? '')?.[1] ??
              url.searchParams.get('access_token') ??
              ''
            const expected = createHmac('sha256', secret).update(token).digest('hex')
            if (url.searchParams.get('appsecret_proof') !== expected)
              return graphError(
                'API calls from the server require an appsecret_proof argument',
                100,
              )
          }
          // Without `fields` the Graph API returns only id and name.
          const fields = (url.searchParams.get('fields') ?? 'id,name').split(',')
          const all: Record<string, unknown> = {
            id: user.id,
            name: user.name,
            email: user.email,
            picture: {
              data: {
                height: 50,
                width: 50,
                is_silhouette: !user.picture,
                url: user.picture ?? 'https://static.xx.fbcdn.test/rsrc.php/silhouette.png',
              },
            },
          }
          return HttpResponse.json(
            Object.fromEntries(fields.filter((f) => all[f] !== undefined).map((f) => [f, all[f]])),
          )
        },
      },
    },
    options.users ?? [FACEBOOK_TEST_USER],
  )
}
