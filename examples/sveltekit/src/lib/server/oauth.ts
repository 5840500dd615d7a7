import { env } from '$env/dynamic/private'
import { OAuth } from 'oauthkit'

// Read at run time ($env/dynamic): `node build` gets them from its environment.
export const oauth = new OAuth({
  // Seals login transactions into cookies; required once more than one process serves the app.
  secret: env.OAUTH_SECRET,
}).register('corp', {
  serverMetadataUrl: `${env.OIDC_ISSUER ?? 'http://127.0.0.1:4000'}/.well-known/openid-configuration`,
  clientId: env.OIDC_CLIENT_ID ?? 'sveltekit-example',
  clientSecret: env.OIDC_CLIENT_SECRET,
  scope: 'openid email profile',
})
