import { describe, expect, it } from 'vitest'
import { checkKnownKeys, suggestKey } from '../src/config-keys.js'
import { ErrorCode } from '../src/index.js'
import { expectCode } from './support/helpers.js'

const KNOWN = ['clientId', 'clientSecret', 'scope', 'authorizeUrl', 'accessTokenUrl', 'serverMetadataUrl', 'apiBaseUrl', 'hooks', 'tokenEndpointAuthMethod', 'tokenPlacement', 'leeway', 'pkce']

describe('unknown config keys', () => {
  it.each([
    ['scopes', 'did you mean scope?'],
    ['client_id', 'did you mean clientId? (oauthkit\'s names are camelCase)'],
    ['authorize_url', 'did you mean authorizeUrl? (oauthkit\'s names are camelCase)'],
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
    expect(suggestKey('client_kwargs', KNOWN, { scope: 'openid', token_endpoint_auth_method: 'client_secret_post', token_placement: 'header' })).toBe(
      'put these at the top level of the config: scope, tokenEndpointAuthMethod, tokenPlacement',
    )
  })

  it('suggests nothing for a key that resembles nothing', () => {
    expect(suggestKey('frobnicate', KNOWN)).toBeUndefined()
  })

  it('refuses the first unknown key with config_invalid, naming the app, the place and the fix', async () => {
    const err = await expectCode(Promise.resolve().then(() => checkKnownKeys('github', 'config', { clientId: 'x', scopes: 'read:user' }, KNOWN)), ErrorCode.CONFIG_INVALID)
    expect(err.message).toBe('app "github": config has an unknown key "scopes": did you mean scope?')
    expect(err.app).toBe('github')
    expect(() => checkKnownKeys('', 'new OAuth()', { secert: 'x' }, ['secret', 'fetch'])).toThrow('new OAuth() has an unknown key "secert": did you mean secret?')
    expect(() => checkKnownKeys('a', 'config', { clientId: 'x', scope: 'y' }, KNOWN)).not.toThrow()
  })
})
