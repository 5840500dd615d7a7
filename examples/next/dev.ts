/**
 * The example against a local OpenID provider, no network and no credentials: starts oauthkit's dev
 * provider with this app's client registered, then `next dev` with the environment the app reads.
 * From the repository root, after `npm run build`: `node --import tsx examples/next/dev.ts`
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { startDevProvider } from 'oauthkit/testing'

const appUrl = 'http://127.0.0.1:3000'
const client = { client_id: 'next-example', client_secret: 'next-example-secret-0123456789-0123456789' }
const provider = await startDevProvider({
  clients: [{ ...client, redirect_uris: [`${appUrl}/auth/dev/callback`], post_logout_redirect_uris: [`${appUrl}/`], grant_types: ['authorization_code', 'refresh_token'] }],
})
console.log(`Local OpenID provider: ${provider.issuer} (sign in as alice@example.test / pw)`)

const env = {
  ...process.env,
  APP_URL: appUrl,
  OIDC_ISSUER: provider.issuer,
  OIDC_CLIENT_ID: client.client_id,
  OIDC_CLIENT_SECRET: client.client_secret,
  OAUTH_SECRET: 'dev-only-transaction-secret-0123456789-0123456789',
  SESSION_SECRET: 'dev-only-session-secret-0123456789-0123456789',
}
const next = fileURLToPath(import.meta.resolve('next/dist/bin/next'))
const child = spawn(process.execPath, [next, 'dev', '-H', '127.0.0.1', '-p', '3000'], { cwd: fileURLToPath(new URL('.', import.meta.url)), env, stdio: 'inherit' })
child.on('exit', async (code) => {
  await provider.close()
  process.exit(code ?? 0)
})
