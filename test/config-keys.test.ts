import { describe, expect, it } from 'vitest'
import { checkKnownKeys, suggestKey } from '../src/config-keys.js'
import {
  ErrorCode,
  MemoryCookieJar,
  MemoryReplayGuard,
  OAuth,
  OAuthKitError,
  isOAuthKitError,
} from '../src/index.js'
import {
  authentik,
  cognito,
  definePreset,
  dex,
  github,
  google,
  line,
  mastodon,
  microsoftEntraId,
  steam,
  trello,
  tumblr,
  salesforce,
  twitterOAuth1,
  wechat,
  zitadel,
} from '../src/providers/index.js'
import { REDIRECT, SECRET, expectCode } from './support/helpers.js'

const KNOWN = [
  'clientId',
  'clientSecret',
  'scope',
  'authorizeUrl',
  'accessTokenUrl',
  'serverMetadataUrl',
  'apiBaseUrl',
  'hooks',
  'tokenEndpointAuthMethod',
  'tokenPlacement',
  'leeway',
  'pkce',
]

describe('unknown config keys', () => {
  it.each([
    ['scopes', 'did you mean scope?'],
    ['client_id', "did you mean clientId? (oauthkit's names are camelCase)"],
    ['authorize_url', "did you mean authorizeUrl? (oauthkit's names are camelCase)"],
    ['server_metadata_url', 'did you mean serverMetadataUrl?'],
    ['compliance_fix', 'did you mean hooks?'],
    ['clientID', 'did you mean clientId?'],
    ['authorizeURL', 'did you mean authorizeUrl?'],
    ['scpoe', 'did you mean scope?'],
    ['clientSecert', 'did you mean clientSecret?'],
    ['code_challenge_method', 'did you mean pkce?'],
  ])('suggests the right key for %s', (key, hint) => {
    expect(suggestKey(key, KNOWN)).toBe(hint)
  })

  it('moves Authlib client_kwargs members to the top level, by their oauthkit names', () => {
    expect(
      suggestKey('client_kwargs', KNOWN, {
        scope: 'openid',
        token_endpoint_auth_method: 'client_secret_post',
        token_placement: 'header',
      }),
    ).toBe(
      'put these at the top level of the config: scope, tokenEndpointAuthMethod, tokenPlacement',
    )
  })

  it('suggests nothing for a key that resembles nothing', () => {
    expect(suggestKey('frobnicate', KNOWN)).toBeUndefined()
  })

  it('refuses the first unknown key with config_invalid, naming the app, the place and the fix', async () => {
    const err = await expectCode(
      Promise.resolve().then(() =>
        checkKnownKeys('github', 'config', { clientId: 'x', scopes: 'read:user' }, KNOWN),
      ),
      ErrorCode.CONFIG_INVALID,
    )
    expect(err.message).toBe(
      'app "github": config has an unknown key "scopes": did you mean scope?',
    )
    expect(err.app).toBe('github')
    expect(() => checkKnownKeys('', 'new OAuth()', { secert: 'x' }, ['secret', 'fetch'])).toThrow(
      'new OAuth() has an unknown key "secert": did you mean secret?',
    )
    expect(() => checkKnownKeys('a', 'config', { clientId: 'x', scope: 'y' }, KNOWN)).not.toThrow()
  })
})

describe('register, new OAuth() and authorizeRedirect refuse unknown keys with the fix', () => {
  const endpoints = {
    authorizeUrl: 'https://idp.test/authorize',
    accessTokenUrl: 'https://idp.test/token',
  }
  const register = (config: Record<string, unknown>) => () =>
    new OAuth({ secret: SECRET }).register('idp', config as never)

  it.each([
    [
      { clientId: 'c', ...endpoints, scopes: 'openid email' },
      'app "idp": config has an unknown key "scopes": did you mean scope?',
    ],
    [
      {
        clientId: 'c',
        ...endpoints,
        client_kwargs: { scope: 'openid', token_endpoint_auth_method: 'client_secret_post' },
      },
      'app "idp": config has an unknown key "client_kwargs": put these at the top level of the config: scope, tokenEndpointAuthMethod',
    ],
    [
      { client_id: 'c', ...endpoints },
      'app "idp": config has an unknown key "client_id": did you mean clientId? (oauthkit\'s names are camelCase)',
    ],
    [
      {
        clientId: 'c',
        authorize_url: endpoints.authorizeUrl,
        accessTokenUrl: endpoints.accessTokenUrl,
      },
      'app "idp": config has an unknown key "authorize_url": did you mean authorizeUrl? (oauthkit\'s names are camelCase)',
    ],
    [
      { clientId: 'c', ...endpoints, compliance_fix: () => {} },
      'app "idp": config has an unknown key "compliance_fix": did you mean hooks?',
    ],
    [
      { clientId: 'c', ...endpoints, trusted_audiences: ['api'] },
      'app "idp": config has an unknown key "trusted_audiences": did you mean trustedAudiences? (oauthkit\'s names are camelCase)',
    ],
    [
      { clientId: 'c', ...endpoints, userinfo_signed_response_alg: 'RS256' },
      'app "idp": config has an unknown key "userinfo_signed_response_alg": did you mean userinfoSignedResponseAlg? (oauthkit\'s names are camelCase)',
    ],
    [
      { clientId: 'c', ...endpoints, jwk: { keys: [] } },
      'app "idp": config has an unknown key "jwk": did you mean jwks?',
    ],
    [
      {
        clientId: 'c',
        requestTokenUrl: 'https://x.test/rt',
        ...endpoints,
        clientSecret: 's',
        signature_method: 'PLAINTEXT',
      },
      'app "idp": config has an unknown key "signature_method": did you mean signatureMethod? (oauthkit\'s names are camelCase)',
    ],
  ])('%j', (config, message) => {
    expect(register(config)).toThrow(message)
    let err: unknown
    try {
      register(config)()
    } catch (e) {
      err = e
    }
    expect(isOAuthKitError(err, ErrorCode.CONFIG_INVALID)).toBe(true)
  })

  it('keeps the specific message for an OAuth 2 option on an OAuth 1 app', () => {
    expect(
      register({
        clientId: 'c',
        requestTokenUrl: 'https://x.test/rt',
        ...endpoints,
        clientSecret: 's',
        scope: 'read',
      }),
    ).toThrow(
      'app "idp": scope is an OAuth 2 option; an OAuth 1 app (requestTokenUrl) does not use it',
    )
  })

  it('checks the registry options', () => {
    expect(() => new OAuth({ secert: SECRET } as never)).toThrow(
      'new OAuth() has an unknown key "secert": did you mean secret?',
    )
    expect(() => new OAuth({ fetch_token: () => undefined } as never)).toThrow(
      'did you mean fetchToken?',
    )
  })

  it('takes replayGuard, refuses a misspelt one and one without use()', () => {
    expect(() => new OAuth({ replayGuard: new MemoryReplayGuard() })).not.toThrow()
    expect(() => new OAuth({ replayguard: new MemoryReplayGuard() } as never)).toThrow(
      'did you mean replayGuard?',
    )
    expect(() => new OAuth({ replayGuard: {} as never })).toThrow(
      'replayGuard must have a use(key, expiresAt) method',
    )
  })

  it('checks authorizeRedirect options, and says where authorization parameters go', async () => {
    const app = new OAuth({ secret: SECRET })
      .register('idp', { clientId: 'c', ...endpoints })
      .create('idp')
    const err = await expectCode(
      app.authorizeRedirect({ cookies: new MemoryCookieJar() }, REDIRECT, {
        prompt: 'login',
      } as never),
      ErrorCode.CONFIG_INVALID,
    )
    expect(err.message).toBe(
      'app "idp": authorizeRedirect options has an unknown key "prompt": authorization request parameters go in params: { params: { prompt: … } }',
    )
    await expectCode(
      app.authorizeRedirect({ cookies: new MemoryCookieJar() }, REDIRECT, {
        return_to: '/x',
      } as never),
      ErrorCode.CONFIG_INVALID,
    )
  })
})

describe('preset factories refuse unknown option keys with the fix', () => {
  const refused = (make: () => unknown): OAuthKitError => {
    try {
      make()
    } catch (error) {
      if (isOAuthKitError(error, ErrorCode.CONFIG_INVALID)) return error
      throw error
    }
    throw new Error('expected config_invalid')
  }

  it.each([
    [
      () => github({ clientId: 'c', scopes: 'read:user' } as never),
      'github() options has an unknown key "scopes": did you mean scope?',
    ],
    [
      () => github({ clientId: 'c', enterpriseURL: 'https://git.example' } as never),
      'github() options has an unknown key "enterpriseURL": did you mean enterpriseUrl?',
    ],
    [
      () => github({ client_id: 'c' } as never),
      'github() options has an unknown key "client_id": did you mean clientId? (oauthkit\'s names are camelCase)',
    ],
    [
      () => microsoftEntraId({ clientId: 'c', tenant: 'common', allowed_tenants: ['t'] } as never),
      'microsoftEntraId() options has an unknown key "allowed_tenants": did you mean allowedTenants? (oauthkit\'s names are camelCase)',
    ],
    [
      () => google({ clientId: 'c', hostedDomian: 'example.com' } as never),
      'google() options has an unknown key "hostedDomian": did you mean hostedDomain?',
    ],
    [
      () => twitterOAuth1({ clientId: 'k', clientSecret: 's', always_ask: true } as never),
      'twitterOAuth1() options has an unknown key "always_ask": did you mean alwaysAsk? (oauthkit\'s names are camelCase)',
    ],
    [
      () => twitterOAuth1({ clientId: 'k', clientSecret: 's', pkce: false } as never),
      'twitterOAuth1() options has an unknown key "pkce"',
    ],
    [
      () => trello({ clientId: 'k', clientSecret: 's', app_name: 'x' } as never),
      'trello() options has an unknown key "app_name": did you mean appName? (oauthkit\'s names are camelCase)',
    ],
    [
      () => tumblr({ clientId: 'k', clientSecret: 's', scope: 'x' } as never),
      'tumblr() options has an unknown key "scope"',
    ],
    [
      () => steam({ apiKye: 'k' } as never),
      'steam() options has an unknown key "apiKye": did you mean apiKey?',
    ],
    [() => steam({ clientId: 'c' } as never), 'steam() options has an unknown key "clientId"'],
    [
      () => line({ clientId: 'c', clientSecret: 's', bot_prompt: 'normal' } as never),
      'line() options has an unknown key "bot_prompt": did you mean botPrompt? (oauthkit\'s names are camelCase)',
    ],
    [
      () => wechat({ clientId: 'c', clientSecret: 's', subjet: 'unionid' } as never),
      'wechat() options has an unknown key "subjet": did you mean subject?',
    ],
    [
      () => salesforce({ clientId: 'c', clientSecret: 's', loginURL: 'https://x.test' } as never),
      'salesforce() options has an unknown key "loginURL": did you mean loginUrl?',
    ],
    [
      () =>
        cognito({ clientId: 'c', user_pool_id: 'eu-west-1_A', domain: 'https://a.test' } as never),
      'cognito() options has an unknown key "user_pool_id": did you mean userPoolId? (oauthkit\'s names are camelCase)',
    ],
    [
      () => zitadel({ clientId: 'c', issuer: 'https://z.test', projectRole: true } as never),
      'zitadel() options has an unknown key "projectRole": did you mean projectRoles?',
    ],
    [
      () => authentik({ clientId: 'c', baseUrl: 'https://a.test', slug: 's', slg: 'x' } as never),
      'authentik() options has an unknown key "slg": did you mean slug?',
    ],
    [
      () => dex({ clientId: 'c', issuer: 'https://d.test', connector_id: 'ldap' } as never),
      'dex() options has an unknown key "connector_id": did you mean connectorId? (oauthkit\'s names are camelCase)',
    ],
    [
      () =>
        definePreset({ clientId: 'c', client_kwargs: { scope: 'x' } } as never, {
          authorizeUrl: 'https://a.test/a',
          accessTokenUrl: 'https://a.test/t',
        }),
      'preset options has an unknown key "client_kwargs": put these at the top level of the config: scope',
    ],
  ])('%#: %s', (make, message) => {
    expect(refused(make).message).toBe(message)
  })

  it('mastodon() refuses an unknown key before registering anything', async () => {
    const err = await expectCode(
      mastodon({
        instance: 'https://mastodon.test',
        clientName: 'x',
        redirectUris: 'https://app.test/cb',
        client_name: 'y',
      } as never),
      ErrorCode.CONFIG_INVALID,
    )
    expect(err.message).toBe(
      'mastodon() options has an unknown key "client_name": did you mean clientName? (oauthkit\'s names are camelCase)',
    )
  })

  it('takes every known and own key', () => {
    expect(() =>
      new OAuth().register('keys', {
        serverMetadataUrl: 'https://idp.test/.well-known/openid-configuration',
        clientId: 'c',
        trustedAudiences: ['api'],
        jwks: { keys: [] },
        userinfoSignedResponseAlg: 'ES256',
      }),
    ).not.toThrow()
    expect(() =>
      github({
        clientId: 'c',
        clientSecret: 's',
        scope: 'read:user',
        enterpriseUrl: 'https://git.example',
        userAgent: 'me',
      }),
    ).not.toThrow()
    expect(() =>
      microsoftEntraId({
        clientId: 'c',
        tenant: 'organizations',
        allowedTenants: ['00000000-0000-0000-0000-000000000001'],
        leeway: 30,
      }),
    ).not.toThrow()
    expect(() =>
      twitterOAuth1({
        clientId: 'k',
        clientSecret: 's',
        alwaysAsk: true,
        accessType: 'read',
        realm: 'x',
      }),
    ).not.toThrow()
    expect(() =>
      trello({
        clientId: 'k',
        clientSecret: 's',
        appName: 'a',
        scope: ['read'],
        expiration: 'never',
      }),
    ).not.toThrow()
    expect(() => tumblr({ clientId: 'k', clientSecret: 's', userAgent: 'me' })).not.toThrow()
    expect(() =>
      steam({ apiKey: 'k', realm: 'https://app.test/', nonceMaxAge: 60, timeout: 5000 }),
    ).not.toThrow()
  })
})

describe('PAR and DPoP keys (issue 15)', () => {
  it.each([
    ['dPoP', 'did you mean dpop?'],
    ['DPoP', 'did you mean dpop?'],
    ['pushed_authorization_requests', 'did you mean pushedAuthorizationRequests?'],
    ['pushedAuthorizationRequest', 'did you mean pushedAuthorizationRequests?'],
  ])('register refuses %s and names the key', (key, hint) => {
    const register = () =>
      new OAuth({ secret: SECRET }).register('op', {
        clientId: 'c',
        authorizeUrl: 'https://idp.test/auth',
        accessTokenUrl: 'https://idp.test/token',
        [key]: true,
      } as never)
    expect(register).toThrow(hint)
  })

  it('accepts dpop and pushedAuthorizationRequests', () => {
    const app = new OAuth({ secret: SECRET })
      .register('op', {
        clientId: 'c',
        authorizeUrl: 'https://idp.test/auth',
        accessTokenUrl: 'https://idp.test/token',
        dpop: true,
        pushedAuthorizationRequests: 'required',
      })
      .create('op')
    expect(app.config.dpop).toBe(true)
  })
})
