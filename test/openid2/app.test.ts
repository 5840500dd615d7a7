/**
 * The OpenID 2.0 app kind without a provider: its config checks (keys, fields), the checkid_setup
 * request it builds, how it prints and binds, and the message rules (key-value form, nonce time,
 * return_to, realm, discovery documents).
 */
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import {
  BoundOpenIdApp,
  ErrorCode,
  MemoryCookieJar,
  OAuth,
  type OpenIdAppConfig,
} from '../../src/index.js'
import {
  nonceTime,
  parseKeyValueForm,
  realmCovers,
  returnToMatches,
} from '../../src/openid2/message.js'
import { normaliseClaimedId, parseHtml, parseXrds } from '../../src/openid2/discovery.js'
import { REDIRECT, SECRET, expectCode } from '../support/helpers.js'

const OP = 'https://op.test/openid/login'

function register(config: Record<string, unknown>) {
  return new OAuth({ secret: SECRET }).register('op', {
    openIdEndpoint: OP,
    ...config,
  } as OpenIdAppConfig)
}

describe('OpenID 2.0 config', () => {
  it('refuses unknown keys with a did-you-mean, and client credentials or OAuth options', async () => {
    const refused = async (config: Record<string, unknown>, message: RegExp) => {
      const error = await expectCode(
        Promise.resolve().then(() => register(config)),
        ErrorCode.CONFIG_INVALID,
      )
      expect(error.message).toMatch(message)
    }
    await refused({ claimedIdPrefx: 'https://op.test/id/' }, /did you mean claimedIdPrefix\?/)
    await refused({ scope: 'openid' }, /unknown key "scope"/)
    await refused({ clientId: 'c' }, /clientId is not used by an OpenID 2.0 app/)
    await refused({ requestTokenUrl: 'https://op.test/rt' }, /requestTokenUrl is not used/)
    await refused({ openIdEndpoint: 'http://op.example/login' }, /http: on a non-loopback host/)
    await refused(
      { claimedIdPrefix: 'https://evil.test/id/' },
      /claimedIdPrefix must be on the origin of openIdEndpoint/,
    )
    await refused({ ax: { 'a.b': 'http://axschema.org/contact/email' } }, /alias must be/)
    await refused({ ax: { email: 'not a uri' } }, /absolute type URI/)
    await refused({ axRequired: ['email'] }, /axRequired names "email", which ax lacks/)
    await refused({ sreg: ['mail'] }, /sreg has "mail"/)
    await refused({ nonceMaxAge: 0 }, /nonceMaxAge must be/)
    await refused({ realm: 'https://app.test/#x' }, /realm must not have a fragment/)
    // A misspelt openIdEndpoint makes an OAuth 2 config, whose check names the right key.
    await refused(
      { openIdEndpoint: undefined, openIdEndPoint: OP },
      /did you mean openIdEndpoint\?/,
    )
  })

  it('builds checkid_setup: identifier_select, return_to with the state, realm, AX and SREG', async () => {
    const app = register({
      ax: {
        email: 'http://axschema.org/contact/email',
        nick: 'http://axschema.org/namePerson/friendly',
      },
      axRequired: ['email'],
      sreg: ['nickname'],
      sregRequired: ['email'],
    }).create('op')
    const { url, transaction } = await app.createAuthorizationUrl(REDIRECT, {
      params: { 'openid.ui.mode': 'popup' },
    })
    const params = Object.fromEntries(url.searchParams)
    expect(params).toEqual({
      'openid.ns': 'http://specs.openid.net/auth/2.0',
      'openid.mode': 'checkid_setup',
      'openid.claimed_id': 'http://specs.openid.net/auth/2.0/identifier_select',
      'openid.identity': 'http://specs.openid.net/auth/2.0/identifier_select',
      'openid.return_to': `${REDIRECT}?state=${transaction.key}`,
      'openid.realm': 'https://app.test/',
      'openid.ns.ax': 'http://openid.net/srv/ax/1.0',
      'openid.ax.mode': 'fetch_request',
      'openid.ax.type.email': 'http://axschema.org/contact/email',
      'openid.ax.type.nick': 'http://axschema.org/namePerson/friendly',
      'openid.ax.required': 'email',
      'openid.ax.if_available': 'nick',
      'openid.ns.sreg': 'http://openid.net/extensions/sreg/1.1',
      'openid.sreg.required': 'email',
      'openid.sreg.optional': 'nickname',
      'openid.ui.mode': 'popup',
    })
    expect(transaction.key).toMatch(/^[A-Za-z0-9_-]{43}$/)
    await expectCode(
      app.createAuthorizationUrl(REDIRECT, {
        params: { 'openid.return_to': 'https://evil.test/' },
      }),
      ErrorCode.INVALID_REQUEST,
    )
    await expectCode(app.createAuthorizationUrl(`${REDIRECT}?state=x`), ErrorCode.INVALID_REQUEST)
    const realm = register({ realm: 'https://*.app.test/auth' }).create('op')
    await realm.createAuthorizationUrl('https://login.app.test/auth/callback')
    await expectCode(realm.createAuthorizationUrl(REDIRECT), ErrorCode.INVALID_REQUEST)
  })

  it('prints as OpenIdApp, binds as BoundOpenIdApp, and needs a state on the callback', async () => {
    const oauth = register({})
    const app = oauth.create('op')
    expect(inspect(app)).toMatch(/^OpenIdApp \{/)
    expect(JSON.parse(JSON.stringify(app))).toMatchObject({ kind: 'openid2', name: 'op' })
    const cookies = new MemoryCookieJar()
    const bound = oauth.bind({ cookies }).create('op')
    expect(bound).toBeInstanceOf(BoundOpenIdApp)
    expect(bound.kind).toBe('openid2')
    const redirect = await bound.authorizeRedirect(REDIRECT)
    expect(redirect.status).toBe(302)
    await expectCode(
      app.authorizeAccessToken({ cookies, request: new Request(`${REDIRECT}?openid.mode=id_res`) }),
      ErrorCode.STATE_MISSING,
    )
    const profile = await app.profile({
      claimed_id: 'https://op.test/id/1',
      identity: 'https://op.test/id/1',
      op_endpoint: OP,
      ax: { 'http://axschema.org/namePerson/friendly': ['gabe'] },
    })
    expect(profile).toEqual({
      sub: 'https://op.test/id/1',
      name: 'gabe',
      raw: expect.objectContaining({ claimed_id: 'https://op.test/id/1' }),
    })
  })
})

describe('OpenID 2.0 messages', () => {
  it('reads key-value form strictly', () => {
    expect(parseKeyValueForm('ns:x\nis_valid:true\n')).toEqual(
      new Map([
        ['ns', 'x'],
        ['is_valid', 'true'],
      ]),
    )
    expect(parseKeyValueForm('is_valid:true\nis_valid:false\n')).toBeUndefined()
    expect(parseKeyValueForm('<html>is_valid:true</html>')?.get('is_valid')).toBeUndefined()
    expect(parseKeyValueForm('no colon')).toBeUndefined()
  })

  it('reads a nonce time and refuses a date that does not exist', () => {
    expect(nonceTime('2005-05-15T17:11:51ZUNIQUE')).toBe(Date.UTC(2005, 4, 15, 17, 11, 51))
    expect(nonceTime('2005-05-15T17:11:51Z')).toBe(Date.UTC(2005, 4, 15, 17, 11, 51))
    expect(nonceTime('2005-02-30T17:11:51Zx')).toBeUndefined()
    expect(nonceTime('2005-05-15 17:11:51Zx')).toBeUndefined()
    expect(nonceTime(`2005-05-15T17:11:51Z${'x'.repeat(240)}`)).toBeUndefined()
    expect(nonceTime('2005-05-15T17:11:51Z with space')).toBeUndefined()
  })

  it('matches return_to to the callback URL (§11.1) and to the realm (§9.2.1)', () => {
    const at = (url: string) => new URL(url)
    expect(
      returnToMatches(
        'https://a.test/cb?state=1',
        at('https://a.test/cb?state=1&openid.mode=id_res'),
      ),
    ).toBe(true)
    expect(returnToMatches('https://a.test/cb?state=1', at('https://a.test/cb?state=2'))).toBe(
      false,
    )
    expect(
      returnToMatches('https://a.test/cb?state=1', at('https://a.test/cb?state=1&state=2')),
    ).toBe(false)
    expect(returnToMatches('https://a.test/cb', at('http://a.test/cb'))).toBe(false)
    expect(returnToMatches('https://a.test/cb', at('https://a.test:444/cb'))).toBe(false)
    expect(realmCovers('https://a.test/', 'https://a.test/x/cb')).toBe(true)
    expect(realmCovers('https://a.test/x', 'https://a.test/xy/cb')).toBe(false)
    expect(realmCovers('https://*.a.test/', 'https://b.a.test/cb')).toBe(true)
    expect(realmCovers('https://*.a.test/', 'https://evila.test/cb')).toBe(false)
    expect(realmCovers('https://a.test/', 'http://a.test/cb')).toBe(false)
  })

  it('normalises claimed ids and reads XRDS and HTML discovery', () => {
    expect(normaliseClaimedId('example.test/User')).toBe('http://example.test/User')
    expect(normaliseClaimedId('HTTPS://Example.TEST/id#x')).toBe('https://example.test/id#x')
    expect(normaliseClaimedId('=example')).toBeUndefined()
    expect(normaliseClaimedId('xri://=example')).toBeUndefined()
    expect(normaliseClaimedId('ftp://example.test/')).toBeUndefined()
    expect(
      parseXrds(
        `<xrds:XRDS xmlns:xrds="xri://$xrds" xmlns="xri://$xrd*($v*2.0)"><XRD>
         <Service><Type>http://openid.net/signon/1.1</Type><URI>https://old.test/</URI></Service>
         <Service priority="0"><Type>http://specs.openid.net/auth/2.0/signon</Type>
         <URI>https://op.test/login?a=1&amp;b=2</URI><LocalID>https://op.test/id/1</LocalID></Service>
         </XRD></xrds:XRDS>`,
      ),
    ).toEqual([{ endpoint: 'https://op.test/login?a=1&b=2', localId: 'https://op.test/id/1' }])
    expect(
      parseHtml(
        `<html><head><link href='https://op.test/login' rel="openid2.provider openid.server">
         <link rel=openid2.local_id href=https://op.test/id/1></head>
         <body><link rel="openid2.provider" href="https://evil.test/"></body></html>`,
      ),
    ).toEqual([{ endpoint: 'https://op.test/login', localId: 'https://op.test/id/1' }])
    expect(parseHtml('<html><head></head></html>')).toEqual([])
  })
})
