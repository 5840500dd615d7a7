/**
 * The real OpenID provider our tests log in against: oauthkit/testing's dev provider under the names
 * the tests use. Its client secrets, the pkjwt client's private key, and every code, token and
 * verifier that passes through it are registered as credentials in play (test/support/secrets.ts).
 */
import {
  DEV_CLIENTS,
  startDevProvider,
  type DevProvider,
  type DevProviderOptions,
} from '../../testing/index.js'
import { registerCredential, registerCredentialFields } from './secrets.js'

export {
  DEV_CLIENTS as TEST_CLIENTS,
  DEFAULT_DEV_ACCOUNT as DEFAULT_TEST_ACCOUNT,
  DEV_REDIRECT_URI as TEST_REDIRECT_URI,
  DEV_REDIRECT_URIS as TEST_REDIRECT_URIS,
  DEV_POST_LOGOUT_REDIRECT_URI as TEST_POST_LOGOUT_REDIRECT_URI,
} from '../../testing/index.js'
export type {
  DevProvider as TestProvider,
  DevProviderOptions as StartTestProviderOptions,
  DevAccount as TestAccount,
  AuthorizeResult,
} from '../../testing/index.js'

for (const client of Object.values(DEV_CLIENTS))
  registerCredential((client as { client_secret?: string }).client_secret)

/** Registers what the client sent (code, verifier, refresh token, secret) and what the provider answered. */
const recordCredentials: NonNullable<DevProviderOptions['middleware']>[number] = async (
  ctx,
  next,
) => {
  await next()
  const params = (ctx as { oidc?: { params?: Record<string, unknown> } }).oidc?.params
  if (params) registerCredentialFields(params)
  const location = ctx.response.get('location')
  if (location && URL.canParse(location)) registerCredentialFields(new URL(location).searchParams)
  if (
    ctx.body &&
    typeof ctx.body === 'object' &&
    !Buffer.isBuffer(ctx.body) &&
    typeof (ctx.body as { pipe?: unknown }).pipe !== 'function'
  ) {
    registerCredentialFields(ctx.body as Record<string, unknown>)
  }
}

/** The dev provider, with what it issues and receives registered as credentials in play. */
export async function startTestProvider(options?: DevProviderOptions): Promise<DevProvider> {
  const provider = await startDevProvider({
    ...options,
    middleware: [...(options?.middleware ?? []), recordCredentials],
  })
  registerCredential(provider.privateKeyJwk.d)
  return provider
}
