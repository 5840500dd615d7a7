/**
 * Notion emulation: HTTP Basic and (by default, as documented) a JSON body at the token endpoint;
 * token responses carrying `owner.user`, `bot_id` and `workspace_*` (and optionally the old
 * `refresh_token: null`); `GET /v1/users/me` (the bot, owned by the user) refusing calls without a
 * `Notion-Version` header.
 *
 * @module
 */
import { HttpResponse } from 'msw'
import { createEmulation, type EmulatedUser, type ProviderEmulation } from '../emulator.js'

/** The default Notion test user (shares their email with the integration). @group Testing */
export const NOTION_TEST_USER: EmulatedUser = {
  id: 'e79a0b74-3aba-4149-9f74-0bb5791a6ee6',
  name: 'Avocado Lovelace',
  email: 'avocado@notion.test',
  picture: 'https://s3-us-west-2.amazonaws.test/public.notion-static.com/avocado.png',
}

/** Options of {@link emulateNotion}. @group Testing */
export interface NotionEmulationOptions {
  users?: EmulatedUser[]
  /** Refuse form-encoded token requests (the documented contract is JSON). Default true. */
  requireJson?: boolean
  /** Answer `refresh_token: null` instead of a refresh token (older integrations). Default false. */
  nullRefreshToken?: boolean
}

const notionError = (status: number, code: string, message: string) =>
  HttpResponse.json({ object: 'error', status, code, message, request_id: 'req-1' }, { status })

/**
 * Emulate Notion's OAuth for the `notion` preset.
 * @group Testing
 */
export function emulateNotion(options: NotionEmulationOptions = {}): Promise<ProviderEmulation> {
  const requireJson = options.requireJson ?? true
  const owner = (user: EmulatedUser) => ({
    type: 'user',
    user: {
      object: 'user',
      id: user.id,
      name: user.name ?? null,
      avatar_url: user.picture ?? null,
      type: 'person',
      person: user.email ? { email: user.email } : {},
    },
  })
  const workspace = {
    bot_id: 'b3414d65-9d6b-4a1c-8d1e-6c1a4c7e2f10',
    workspace_id: 'a1b2c3d4-0000-4000-8000-000000000001',
    workspace_name: "Avocado's Notion",
    workspace_icon: 'https://www.notion.test/icon.png',
  }
  return createEmulation(
    {
      name: 'notion',
      authorizeUrl: 'https://api.notion.com/v1/oauth/authorize',
      tokenUrl: 'https://api.notion.com/v1/oauth/token',
      checkAuthorizeRequest: (q) =>
        q.get('owner') === 'user'
          ? undefined
          : { error: 'invalid_request', error_description: 'owner must be "user"' },
      checkTokenRequest: (request) => {
        if (!/^Basic\s/i.test(request.headers.get('authorization') ?? ''))
          return HttpResponse.json(
            {
              error: 'invalid_client',
              error_description: 'Client authentication missing',
              request_id: 'req-1',
            },
            { status: 401 },
          )
        if (requireJson && !/application\/json/i.test(request.headers.get('content-type') ?? '')) {
          return HttpResponse.json(
            {
              error: 'invalid_request',
              error_description:
                'body failed validation: body.grant_type should be defined, instead was `undefined`.',
              request_id: 'req-1',
            },
            { status: 400 },
          )
        }
        return undefined
      },
      tokenResponse: (ctx) =>
        HttpResponse.json({
          access_token: ctx.accessToken,
          token_type: 'bearer',
          refresh_token: options.nullRefreshToken ? null : ctx.refreshToken,
          ...workspace,
          owner: owner(ctx.user),
          duplicated_template_id: null,
          request_id: 'req-1',
        }),
      api: {
        'https://api.notion.com/v1/users/me': (user, request) => {
          if (!request.headers.get('notion-version'))
            return notionError(
              400,
              'missing_version',
              'Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.',
            )
          return HttpResponse.json({
            object: 'user',
            id: workspace.bot_id,
            name: 'oauthkit test',
            avatar_url: null,
            type: 'bot',
            bot: { owner: owner(user), workspace_name: workspace.workspace_name },
          })
        },
      },
    },
    options.users ?? [NOTION_TEST_USER],
  )
}
