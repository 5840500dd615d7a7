/**
 * Compile-time checks (run by `npm run typecheck`): `register` is generic, so TypeScript's own excess
 * property check is off; oauthkit's config type turns an unknown key back into an error. Each
 * `@ts-expect-error` fails the typecheck if the line below it ever compiles.
 */
import { OAuth, type OAuth2AppConfig } from '../../src/index.js'
import { github, microsoftEntraId } from '../../src/providers/index.js'

const endpoints = {
  authorizeUrl: 'https://idp.test/authorize',
  accessTokenUrl: 'https://idp.test/token',
}
const oauth = new OAuth({ secret: 'a-test-secret-that-is-at-least-32-characters' })

// Known keys, presets and spreads of a typed config compile.
oauth.register('ok', { clientId: 'c', ...endpoints, scope: 'openid' })
oauth.register('oauth1', {
  clientId: 'c',
  clientSecret: 's',
  requestTokenUrl: 'https://x.test/rt',
  ...endpoints,
  signatureMethod: 'PLAINTEXT',
})
oauth.register('preset', github({ clientId: 'c', clientSecret: 's' }))
declare const typed: OAuth2AppConfig
oauth.register('spread', { ...typed, scope: 'read' })

// @ts-expect-error a misspelt key
oauth.register('scopes', { clientId: 'c', ...endpoints, scopes: 'openid' })
// @ts-expect-error Authlib's client_kwargs
oauth.register('kwargs', { clientId: 'c', ...endpoints, client_kwargs: { scope: 'openid' } })
// @ts-expect-error Authlib's snake_case name
oauth.register('snake', { client_id: 'c', ...endpoints })
const mixed = {
  clientId: 'c',
  clientSecret: 's',
  requestTokenUrl: 'https://x.test/rt',
  ...endpoints,
} as const
// @ts-expect-error an OAuth 2 option on an OAuth 1 app
oauth.register('mixed', { ...mixed, pkce: false })
// @ts-expect-error a typo next to a spread
oauth.register('typo', { ...typed, scpoe: 'read' })
// @ts-expect-error new OAuth() options are checked as any object literal is
new OAuth({ secert: 'x' })
// @ts-expect-error preset factories check their options as any object literal is
github({ clientId: 'c', scopes: 'read:user' })
// @ts-expect-error a preset's own option, misspelt
microsoftEntraId({ clientId: 'c', tenant: 'common', allowed_tenants: ['t'] })

// OpenID 2.0: its own keys compile, the app type is OpenIdApp, and an unknown key is an error.
const steam = oauth
  .register('openid2', {
    openIdEndpoint: 'https://op.test/login',
    claimedIdPrefix: 'https://op.test/id/',
    sreg: ['nickname'],
    updateToken: (_name, identity) => void identity.claimed_id.toUpperCase(),
  })
  .create('openid2')
const openIdKind: 'openid2' = steam.kind
void openIdKind
// @ts-expect-error an OAuth option on an OpenID 2.0 app
oauth.register('openid2-scope', { openIdEndpoint: 'https://op.test/login', scope: 'openid' })
