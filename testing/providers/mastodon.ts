/**
 * Mastodon emulation: an instance whose `POST /api/v1/apps` registers clients as Mastodon does (HTTP
 * 200, `scopes`, `redirect_uris` as a newline-separated string or an array, 422 `{ error }` on bad
 * input), a token endpoint accepting only registered clients, and `verify_credentials`.
 *
 * @module
 */
import { http, HttpResponse } from 'msw'
import { createEmulation, type EmulatedUser, type ProviderEmulation } from '../emulator.js'

/** The default Mastodon test account. @group Testing */
export const MASTODON_TEST_USER: EmulatedUser = {
  id: '109382',
  username: 'gargron',
  name: 'Eugen',
  picture: 'https://files.mastodon.test/accounts/avatars/gargron.png',
}

/** A Mastodon emulation, with the clients registered at it. @group Testing */
export interface MastodonEmulation extends ProviderEmulation {
  /** Every client registered through `POST /api/v1/apps`, in order. */
  readonly registered: Array<{
    client_id: string
    client_secret: string
    redirect_uris: string[]
    scopes: string
    /** The registration request's JSON body as sent. */
    body: Record<string, unknown>
  }>
}

/** Emulate a Mastodon instance (default https://mastodon.test) for the `mastodon` preset. @group Testing */
export async function emulateMastodon(
  options: { instance?: string; users?: EmulatedUser[] } = {},
): Promise<MastodonEmulation> {
  const base = (options.instance ?? 'https://mastodon.test').replace(/\/+$/, '')
  const registered: MastodonEmulation['registered'] = []
  const emulation = await createEmulation(
    {
      name: 'mastodon',
      authorizeUrl: `${base}/oauth/authorize`,
      tokenUrl: `${base}/oauth/token`,
      checkAuthorizeRequest: (params) =>
        registered.some(
          (c) =>
            c.client_id === params.get('client_id') &&
            c.redirect_uris.includes(params.get('redirect_uri') ?? ''),
        )
          ? undefined
          : { error: 'invalid_client', error_description: 'unknown client or redirect_uri' },
      checkTokenRequest: (_request, params) =>
        registered.some(
          (c) =>
            c.client_id === params.get('client_id') &&
            c.client_secret === params.get('client_secret'),
        )
          ? undefined
          : HttpResponse.json(
              { error: 'invalid_client', error_description: 'Client authentication failed' },
              { status: 401 },
            ),
      tokenResponse: (ctx) =>
        HttpResponse.json({
          access_token: ctx.accessToken,
          token_type: 'Bearer',
          scope: ctx.scope,
          created_at: Math.floor(Date.now() / 1000),
        }),
      api: {
        [`${base}/api/v1/accounts/verify_credentials`]: (user) =>
          HttpResponse.json({
            id: user.id,
            username: user.username,
            acct: user.username,
            display_name: user.name ?? '',
            avatar: user.picture,
            url: `${base}/@${String(user.username)}`,
            locked: false,
            bot: false,
          }),
      },
    },
    options.users ?? [MASTODON_TEST_USER],
  )
  const apps = http.post(`${base}/api/v1/apps`, async ({ request }) => {
    const body = (await request.json()) as Record<string, unknown>
    const uris = Array.isArray(body.redirect_uris)
      ? (body.redirect_uris as string[])
      : String(body.redirect_uris ?? '')
          .split('\n')
          .filter(Boolean)
    if (
      typeof body.client_name !== 'string' ||
      uris.length === 0 ||
      !uris.every((u) => URL.canParse(u))
    )
      return HttpResponse.json(
        { error: 'Validation failed: Redirect URI must be an absolute URI.' },
        { status: 422 },
      )
    const n = registered.length + 1
    const client = {
      client_id: `mastodon-client-${n}`,
      client_secret: `mastodon-secret-${n}-${crypto.randomUUID()}`,
      redirect_uris: uris,
      scopes: String(body.scopes ?? 'read'),
      body,
    }
    registered.push(client)
    // Mastodon answers 200, with its own fields and no client_secret_expires_at.
    return HttpResponse.json({
      id: String(n),
      name: body.client_name,
      website: body.website ?? null,
      redirect_uri: uris.join('\n'),
      client_id: client.client_id,
      client_secret: client.client_secret,
      vapid_key:
        'BCk-QqERU0q-CfYZjcuB6lnyyOYfJ2AifKqfeGIm7Z-HiTU5T9eTG5GxVA0_OH5mMlI4UkkDTpaZwozy0TzdZ2M=',
    })
  })
  return { ...emulation, handlers: [...emulation.handlers, apps], registered }
}
