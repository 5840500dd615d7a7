import { generateKeyPairSync } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  signRequest,
  type OAuth1Credentials,
  type SignatureMethod,
  type SignaturePlacement,
  type SignedRequest,
  type SignRequestInput,
} from '../../src/oauth1/signature.js'
import {
  OAUTH1_PROBLEMS,
  startOAuth1Provider,
  type OAuth1Problem,
  type OAuth1Provider,
} from '../support/oauth1-provider.js'

const HMAC_CONSUMER = { key: 'hmac-consumer', secret: 'cs !*()&=+%é' }
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const RSA_PRIVATE_PEM = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
const RSA_CONSUMER = {
  key: 'rsa-consumer',
  secret: '',
  rsaPublicKey: rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
}
const CALLBACK = 'https://app.example/callback?from=oauthkit'

function clientCredentials(signatureMethod: SignatureMethod): OAuth1Credentials {
  return signatureMethod === 'RSA-SHA1'
    ? { clientId: RSA_CONSUMER.key, rsaKey: RSA_PRIVATE_PEM }
    : { clientId: HMAC_CONSUMER.key, clientSecret: HMAC_CONSUMER.secret }
}

function send(signed: SignedRequest, method: string): Promise<Response> {
  return fetch(signed.url, {
    method,
    headers: signed.headers,
    ...(signed.body === undefined ? {} : { body: signed.body }),
    redirect: 'manual',
  })
}

/** The temporary credentials request of RFC 5849 §2.1, with a callback. */
function requestTokenInput(
  provider: OAuth1Provider,
  extra: Partial<SignRequestInput> = {},
): SignRequestInput {
  return {
    method: 'POST',
    url: `${provider.url}/oauth/request_token`,
    oauthParams: { oauth_callback: CALLBACK },
    ...extra,
  }
}

async function signAndSend(
  credentials: OAuth1Credentials,
  input: SignRequestInput,
): Promise<Response> {
  return send(await signRequest(credentials, input), input.method)
}

/** Asserts the provider refused with this problem, in the form of the endpoint (form for /oauth/*, else JSON). */
async function expectProblem(response: Response, problem: OAuth1Problem): Promise<void> {
  const { status, code, message } = OAUTH1_PROBLEMS[problem]
  expect(response.status).toBe(status)
  if (new URL(response.url).pathname.startsWith('/oauth/')) {
    const body = new URLSearchParams(await response.text())
    expect(body.get('oauth_problem')).toBe(problem)
    expect(body.get('oauth_problem_advice')).toBe(message)
  } else {
    expect(await response.json()).toEqual({ errors: [{ code, message }] })
  }
}

describe('the OAuth 1.0a test provider verifies what signRequest signs', () => {
  let provider: OAuth1Provider

  beforeAll(async () => {
    provider = await startOAuth1Provider({ consumers: [HMAC_CONSUMER, RSA_CONSUMER] })
  })
  afterAll(() => provider.close())

  const flows: Array<[SignatureMethod, SignaturePlacement]> = []
  for (const method of ['HMAC-SHA1', 'HMAC-SHA256', 'RSA-SHA1', 'PLAINTEXT'] as const) {
    for (const placement of ['header', 'query', 'body'] as const) flows.push([method, placement])
  }

  it.each(flows)(
    '%s with parameters in the %s: request token → approve → access token → GET and POST',
    async (signatureMethod, placement) => {
      const client = clientCredentials(signatureMethod)
      const common = { signatureMethod, placement }

      const temporary = await signAndSend(client, requestTokenInput(provider, common))
      expect(temporary.status).toBe(200)
      const requestToken = new URLSearchParams(await temporary.text())
      expect(requestToken.get('oauth_callback_confirmed')).toBe('true')
      const oauthToken = requestToken.get('oauth_token')!
      expect(provider.requests.at(-1)).toMatchObject({
        location: placement,
        protocol: { oauth_callback: CALLBACK },
      })

      expect(
        (await fetch(`${provider.url}/oauth/authorize?oauth_token=${oauthToken}`)).status,
      ).toBe(200)
      const callback = new URL(provider.approve(oauthToken))
      expect(callback.origin + callback.pathname).toBe('https://app.example/callback')
      expect(callback.searchParams.get('from')).toBe('oauthkit')
      expect(callback.searchParams.get('oauth_token')).toBe(oauthToken)

      const exchange = await signAndSend(
        { ...client, token: oauthToken, tokenSecret: requestToken.get('oauth_token_secret')! },
        {
          method: 'POST',
          url: `${provider.url}/oauth/access_token`,
          oauthParams: { oauth_verifier: callback.searchParams.get('oauth_verifier')! },
          ...common,
        },
      )
      expect(exchange.status).toBe(200)
      const access = new URLSearchParams(await exchange.text())
      expect(access.get('user_id')).toBe('783214')
      expect(access.get('screen_name')).toBe('oauthkit_test')
      const user = {
        ...client,
        token: access.get('oauth_token')!,
        tokenSecret: access.get('oauth_token_secret')!,
      }

      // A GET has no body: with placement "body" its parameters go in the query.
      const query = new URLSearchParams([
        ['include_entities', 'true'],
        ['q', "hello wörld !*'()~ +%"],
        ['q', ''],
      ])
      const get = await signAndSend(user, {
        method: 'GET',
        url: `${provider.url}/1.1/account/verify_credentials.json?${query.toString()}`,
        signatureMethod,
        placement: placement === 'body' ? 'query' : placement,
      })
      expect(get.status).toBe(200)
      expect(await get.json()).toMatchObject({
        id: 783214,
        id_str: '783214',
        screen_name: 'oauthkit_test',
        query: [...query],
      })

      const form = [
        ['status', 'Ladies + Gentlemen'],
        ['a', '1=2&3'],
        ['a', 'é😀'],
        ['empty', ''],
        ['c@', '%41'],
      ]
      const post = await signAndSend(user, {
        method: 'POST',
        url: `${provider.url}/1.1/account/verify_credentials.json?via=query`,
        body: new URLSearchParams(form),
        ...common,
      })
      expect(post.status).toBe(200)
      expect(await post.json()).toMatchObject({
        screen_name: 'oauthkit_test',
        query: [['via', 'query']],
        form,
      })
      expect(provider.requests.at(-1)).toMatchObject({
        location: placement,
        protocol: { oauth_signature_method: signatureMethod },
      })
    },
  )

  it('ignores the realm, which is not signed, and records it', async () => {
    const { token, secret } = provider.issueAccessToken(HMAC_CONSUMER.key)
    const response = await signAndSend(
      {
        clientId: HMAC_CONSUMER.key,
        clientSecret: HMAC_CONSUMER.secret,
        token,
        tokenSecret: secret,
      },
      {
        method: 'GET',
        url: `${provider.url}/1.1/account/verify_credentials.json`,
        realm: 'Twitter API "v1.1"',
      },
    )
    expect(response.status).toBe(200)
    expect(provider.requests.at(-1)?.realm).toBe('Twitter API "v1.1"')
  })

  it('an oob callback gets the verifier through the provider PIN page', async () => {
    const client = clientCredentials('HMAC-SHA1')
    const temporary = await signAndSend(client, {
      method: 'POST',
      url: `${provider.url}/oauth/request_token`,
      oauthParams: { oauth_callback: 'oob' },
    })
    const oauthToken = new URLSearchParams(await temporary.text()).get('oauth_token')!
    const pinPage = new URL(provider.approve(oauthToken))
    expect(pinPage.origin).toBe(provider.url)
    expect(await (await fetch(pinPage)).text()).toBe(pinPage.searchParams.get('oauth_verifier'))
  })

  describe('rejects', () => {
    const client = clientCredentials('HMAC-SHA1')
    const api = () => `${provider.url}/1.1/account/verify_credentials.json`
    function user(): OAuth1Credentials {
      const { token, secret } = provider.issueAccessToken(HMAC_CONSUMER.key)
      return { ...client, token, tokenSecret: secret }
    }
    async function pendingRequestToken(): Promise<{
      token: string
      secret: string
      verifier: string
    }> {
      const response = await signAndSend(client, requestTokenInput(provider))
      const body = new URLSearchParams(await response.text())
      const token = body.get('oauth_token')!
      const verifier = new URL(provider.approve(token)).searchParams.get('oauth_verifier')!
      return { token, secret: body.get('oauth_token_secret')!, verifier }
    }

    it('a bad signature: wrong client secret, wrong token secret, or a parameter changed after signing', async () => {
      await expectProblem(
        await signAndSend({ ...client, clientSecret: 'wrong' }, requestTokenInput(provider)),
        'signature_invalid',
      )
      await expectProblem(
        await signAndSend({ ...user(), tokenSecret: 'wrong' }, { method: 'GET', url: api() }),
        'signature_invalid',
      )
      const signed = await signRequest(user(), {
        method: 'GET',
        url: `${api()}?count=1`,
        placement: 'query',
      })
      await expectProblem(
        await send({ ...signed, url: signed.url.replace('count=1', 'count=2') }, 'GET'),
        'signature_invalid',
      )
      const form = await signRequest(user(), {
        method: 'POST',
        url: api(),
        body: new URLSearchParams({ status: 'a' }),
      })
      await expectProblem(await send({ ...form, body: 'status=b' }, 'POST'), 'signature_invalid')
    })

    it('a reused nonce (same consumer and timestamp)', async () => {
      const signed = await signRequest(user(), { method: 'GET', url: api() })
      expect((await send(signed, 'GET')).status).toBe(200)
      await expectProblem(await send(signed, 'GET'), 'nonce_used')
    })

    it('a timestamp more than 300 s off, either way', async () => {
      const now = Math.floor(Date.now() / 1000)
      await expectProblem(
        await signAndSend(user(), { method: 'GET', url: api(), timestamp: String(now - 330) }),
        'timestamp_refused',
      )
      await expectProblem(
        await signAndSend(user(), { method: 'GET', url: api(), timestamp: String(now + 330) }),
        'timestamp_refused',
      )
      expect(
        (await signAndSend(user(), { method: 'GET', url: api(), timestamp: String(now - 270) }))
          .status,
      ).toBe(200)
    })

    it('a wrong verifier, and accepts the right one afterwards, once', async () => {
      const { token, secret, verifier } = await pendingRequestToken()
      const exchange = (oauthVerifier: string) =>
        signAndSend(
          { ...client, token, tokenSecret: secret },
          {
            method: 'POST',
            url: `${provider.url}/oauth/access_token`,
            oauthParams: { oauth_verifier: oauthVerifier },
          },
        )
      await expectProblem(await exchange(`${verifier}x`), 'verifier_invalid')
      expect((await exchange(verifier)).status).toBe(200)
      await expectProblem(await exchange(verifier), 'token_rejected')
    })

    it('an unknown token, a request token used for the API, an unknown consumer', async () => {
      await expectProblem(
        await fetch(`${provider.url}/oauth/authorize?oauth_token=unknown`),
        'token_rejected',
      )
      await expectProblem(
        await signAndSend(
          { ...client, token: 'unknown', tokenSecret: 'x' },
          { method: 'GET', url: api() },
        ),
        'token_rejected',
      )
      const { token, secret } = await pendingRequestToken()
      await expectProblem(
        await signAndSend({ ...client, token, tokenSecret: secret }, { method: 'GET', url: api() }),
        'token_rejected',
      )
      await expectProblem(
        await signAndSend({ ...user(), clientId: 'someone-else' }, { method: 'GET', url: api() }),
        'consumer_key_unknown',
      )
    })

    it('an access token request for a denied request token', async () => {
      const response = await signAndSend(client, requestTokenInput(provider))
      const body = new URLSearchParams(await response.text())
      const token = body.get('oauth_token')!
      const callback = new URL(provider.approve(token, { deny: true }))
      expect(callback.searchParams.get('denied')).toBe(token)
      expect(callback.searchParams.has('oauth_verifier')).toBe(false)
      const exchange = await signAndSend(
        { ...client, token, tokenSecret: body.get('oauth_token_secret')! },
        {
          method: 'POST',
          url: `${provider.url}/oauth/access_token`,
          oauthParams: { oauth_verifier: 'guess' },
        },
      )
      await expectProblem(exchange, 'token_rejected')
    })

    it('with 400: a request token request without oauth_callback, and a protocol parameter sent twice', async () => {
      await expectProblem(
        await signAndSend(client, { method: 'POST', url: `${provider.url}/oauth/request_token` }),
        'parameter_absent',
      )
      const signed = await signRequest(user(), { method: 'GET', url: api() })
      await expectProblem(
        await send(
          { ...signed, url: `${signed.url}?oauth_nonce=${signed.oauthParams.oauth_nonce}` },
          'GET',
        ),
        'parameter_rejected',
      )
    })

    it('RSA-SHA1 from a consumer without a public key, and a signature from another RSA key', async () => {
      const other = generateKeyPairSync('rsa', { modulusLength: 1024 })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString()
      const { token, secret } = provider.issueAccessToken(RSA_CONSUMER.key)
      const rsaGet = { method: 'GET', url: api(), signatureMethod: 'RSA-SHA1' } as const
      await expectProblem(
        await signAndSend(
          { clientId: RSA_CONSUMER.key, rsaKey: other, token, tokenSecret: secret },
          rsaGet,
        ),
        'signature_invalid',
      )
      await expectProblem(
        await signAndSend({ ...user(), rsaKey: RSA_PRIVATE_PEM }, rsaGet),
        'signature_method_rejected',
      )
    })
  })
})

describe('provider options', () => {
  it('each problem has its own message', () => {
    const messages = Object.values(OAUTH1_PROBLEMS).map(({ message }) => message)
    expect(new Set(messages).size).toBe(messages.length)
  })

  it('callbackConfirmed: false omits oauth_callback_confirmed (an OAuth 1.0 server)', async () => {
    const provider = await startOAuth1Provider({
      consumers: [HMAC_CONSUMER],
      callbackConfirmed: false,
    })
    try {
      const response = await signAndSend(
        clientCredentials('HMAC-SHA1'),
        requestTokenInput(provider),
      )
      const body = new URLSearchParams(await response.text())
      expect(body.has('oauth_token')).toBe(true)
      expect(body.has('oauth_callback_confirmed')).toBe(false)
    } finally {
      await provider.close()
    }
  })

  it('autoApprove redirects from the authorization page to the callback; now moves the clock', async () => {
    const clock = Math.floor(Date.now() / 1000) + 3600
    const provider = await startOAuth1Provider({
      consumers: [HMAC_CONSUMER],
      autoApprove: true,
      now: () => clock,
    })
    try {
      const client = clientCredentials('HMAC-SHA1')
      const late = await signAndSend(client, requestTokenInput(provider))
      await expectProblem(late, 'timestamp_refused')
      const response = await signAndSend(
        client,
        requestTokenInput(provider, { timestamp: String(clock) }),
      )
      const token = new URLSearchParams(await response.text()).get('oauth_token')!
      const redirect = await fetch(`${provider.url}/oauth/authorize?oauth_token=${token}`, {
        redirect: 'manual',
      })
      expect(redirect.status).toBe(302)
      const location = new URL(redirect.headers.get('location')!)
      expect(location.searchParams.get('oauth_token')).toBe(token)
      expect(location.searchParams.get('oauth_verifier')).toMatch(/^[0-9a-f]{32}$/)
    } finally {
      await provider.close()
    }
  })
})
