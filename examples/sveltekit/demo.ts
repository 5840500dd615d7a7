// `npm run build && npm run demo`: the built app (`node build`) against a local OpenID provider.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { startDevProvider } from 'oauthkit/testing'

const origin = 'http://127.0.0.1:3000'
const client = { client_id: 'sveltekit-example', client_secret: randomBytes(24).toString('hex') }

const idp = await startDevProvider({
  port: 4000,
  clients: [{ ...client, redirect_uris: [`${origin}/auth/corp/callback`], post_logout_redirect_uris: [`${origin}/`] }],
})

const app = spawn(process.execPath, ['build'], {
  stdio: 'inherit',
  env: {
    ...process.env,
    HOST: '127.0.0.1',
    PORT: '3000',
    ORIGIN: origin,
    OIDC_ISSUER: idp.issuer,
    OIDC_CLIENT_ID: client.client_id,
    OIDC_CLIENT_SECRET: client.client_secret,
    OAUTH_SECRET: randomBytes(32).toString('hex'),
    SESSION_SECRET: randomBytes(32).toString('hex'),
  },
})
console.log(`Open ${origin} and sign in as alice@example.test / pw (Ctrl+C stops)`)
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.kill(signal))
app.on('exit', (code) => void idp.close().then(() => process.exit(code ?? 0)))
