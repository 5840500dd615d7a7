/**
 * Provider presets: two lines per provider, quirks included, one normalised profile for all.
 * test/providers/ logs in through each preset's emulation.
 */
import { OAuth, type OAuth2Token } from 'oauthkit'
import { github, google, microsoftEntraId } from 'oauthkit/providers'

const env = (name: string) => process.env[name] ?? `unset-${name}`

export const oauth = new OAuth({ secret: process.env.OAUTH_SECRET })
  .register('github', github({ clientId: env('GITHUB_CLIENT_ID'), clientSecret: env('GITHUB_CLIENT_SECRET') }))
  .register('google', google({ clientId: env('GOOGLE_CLIENT_ID'), clientSecret: env('GOOGLE_CLIENT_SECRET') }))
  .register('microsoft', microsoftEntraId({ clientId: env('ENTRA_CLIENT_ID'), clientSecret: env('ENTRA_CLIENT_SECRET'), tenant: 'organizations' }))

// After the login: { sub, name, email, email_verified, picture, raw } whatever the provider.
export function whoIs(name: 'github' | 'google' | 'microsoft', token: OAuth2Token) {
  return oauth.create(name).profile(token)
}
