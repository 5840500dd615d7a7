/**
 * 3. Login callback cost with warm caches, against the in-process oidc-provider of the tests: oauthkit's
 *    `authorizeAccessToken` against openid-client v6's `authorizationCodeGrant` as configured by default,
 *    with `enableNonRepudiationChecks` (the ID token signature check oauthkit always does), and with that
 *    plus unsealing its checks from an iron-session seal (the transaction work oauthkit does with its own seal).
 *    Every login is a fresh authorization (scripted login, not timed); only the callback step is timed.
 */
import { sealData, unsealData } from 'iron-session'
import * as client from 'openid-client'
import { MemoryCookieJar, OAuth } from '../src/index.js'
import {
  TEST_CLIENTS,
  TEST_REDIRECT_URI,
  startTestProvider,
  type TestProvider,
} from '../test/support/oidc-provider.js'
import { pairedRatios, seededRandom, shuffled, summarize, type Summary } from './stats.js'

const SCOPE = 'openid email profile'
const SECRET = 'bench-secret-that-is-at-least-32-characters-long'
export const NON_REPUDIATION = 'openid-client + signature check'
export const LIKE_FOR_LIKE = 'openid-client + signature + sealed state'

/** Prepares one login (not timed) and returns the timed callback step. */
type Contender = () => Promise<() => Promise<void>>

export interface LoginOptions {
  rounds: number
  /** Login cycles per round (a cycle: one login of each contender). */
  perRound: number
  /** Untimed logins per contender before the first round. */
  warmup: number
}

export interface LoginSeries {
  name: string
  /** Median callback time of each round, in ms, summarized over the rounds. */
  summary: Summary
  /** Every timed callback, in ms (all rounds). */
  all: Summary
}

export interface LoginResult {
  options: LoginOptions
  series: LoginSeries[]
  /** Ratio of two contenders' callback times within each login cycle; median per round, summarized over rounds. */
  ratios: Array<{ label: string; summary: Summary; target?: number }>
  /** Time to unseal the sealed checks inside the like-for-like contender's callback step, in ms. */
  unsealMs: Summary
}

function oauthkitContender(provider: TestProvider): Contender {
  const app = new OAuth({ secret: SECRET })
    .register('op', {
      serverMetadataUrl: provider.discoveryUrl,
      clientId: TEST_CLIENTS.basic.client_id,
      clientSecret: TEST_CLIENTS.basic.client_secret,
      scope: SCOPE,
    })
    .create('op')
  return async () => {
    const cookies = new MemoryCookieJar()
    const redirect = await app.authorizeRedirect({ cookies }, TEST_REDIRECT_URI)
    const { url } = await provider.authorize(redirect.headers.get('location')!)
    const request = new Request(url)
    return async () => {
      const token = await app.authorizeAccessToken({ cookies, request })
      if (token.userinfo?.sub !== 'alice') throw new Error('oauthkit: unexpected login result')
    }
  }
}

function discover(provider: TestProvider, nonRepudiation: boolean): Promise<client.Configuration> {
  const execute = nonRepudiation
    ? [client.allowInsecureRequests, client.enableNonRepudiationChecks]
    : [client.allowInsecureRequests]
  // Same client and authentication method (client_secret_basic) as the oauthkit contender.
  return client.discovery(
    new URL(provider.issuer),
    TEST_CLIENTS.basic.client_id,
    undefined,
    client.ClientSecretBasic(TEST_CLIENTS.basic.client_secret),
    { execute },
  )
}

interface Checks {
  pkceCodeVerifier: string
  expectedState: string
  expectedNonce: string
}

/**
 * A fresh authorization for openid-client: the callback URL and the checks to finish it with. `atRedirect`
 * runs after the authorization URL is built and before the scripted login (where an app would store the checks).
 */
async function openidClientAuthorization<T = undefined>(
  provider: TestProvider,
  config: client.Configuration,
  atRedirect?: (checks: Checks) => Promise<T>,
): Promise<{ url: URL; checks: Checks; stored?: T }> {
  const checks: Checks = {
    pkceCodeVerifier: client.randomPKCECodeVerifier(),
    expectedState: client.randomState(),
    expectedNonce: client.randomNonce(),
  }
  const authorizationUrl = client.buildAuthorizationUrl(config, {
    redirect_uri: TEST_REDIRECT_URI,
    scope: SCOPE,
    code_challenge: await client.calculatePKCECodeChallenge(checks.pkceCodeVerifier),
    code_challenge_method: 'S256',
    state: checks.expectedState,
    nonce: checks.expectedNonce,
  })
  const stored = await atRedirect?.(checks)
  const { url } = await provider.authorize(authorizationUrl)
  return { url, checks, stored }
}

async function openidClientContender(
  provider: TestProvider,
  nonRepudiation: boolean,
): Promise<Contender> {
  const config = await discover(provider, nonRepudiation)
  return async () => {
    const { url, checks } = await openidClientAuthorization(provider, config)
    return async () => {
      const tokens = await client.authorizationCodeGrant(config, url, checks)
      if (tokens.claims()?.sub !== 'alice')
        throw new Error('openid-client: unexpected login result')
    }
  }
}

/**
 * openid-client doing the same work as oauthkit: its checks (PKCE verifier, state, nonce) sealed with
 * iron-session into a cookie value at the redirect, as oauthkit seals its transaction, and unsealed in the timed
 * callback step; ID token signature checked (`enableNonRepudiationChecks`). Records the unseal times.
 */
async function openidClientLikeForLike(
  provider: TestProvider,
  unsealMs: number[],
): Promise<Contender> {
  const config = await discover(provider, true)
  return async () => {
    // Sealed at the redirect, before the scripted login, as oauthkit's authorizeRedirect does: sealing
    // right before the timed step would hand the unseal a warm thread pool that oauthkit does not get.
    const { url, stored: sealed } = await openidClientAuthorization(provider, config, (checks) =>
      sealData(
        {
          app: 'op',
          key: checks.expectedState,
          redirectUri: TEST_REDIRECT_URI,
          ...checks,
          createdAt: Date.now(),
        },
        { password: SECRET, ttl: 660 },
      ),
    )
    return async () => {
      const start = performance.now()
      const restored = await unsealData<Checks>(sealed!, { password: SECRET, ttl: 660 })
      unsealMs.push(performance.now() - start)
      const tokens = await client.authorizationCodeGrant(config, url, restored)
      if (tokens.claims()?.sub !== 'alice')
        throw new Error('openid-client: unexpected login result')
    }
  }
}

export async function loginCallbacks(options: LoginOptions): Promise<LoginResult> {
  const provider = await startTestProvider()
  try {
    const unsealMs: number[] = []
    const contenders: Record<string, Contender> = {
      oauthkit: oauthkitContender(provider),
      'openid-client': await openidClientContender(provider, false),
      [NON_REPUDIATION]: await openidClientContender(provider, true),
      [LIKE_FOR_LIKE]: await openidClientLikeForLike(provider, unsealMs),
    }
    const names = Object.keys(contenders)
    // Warm-up: discovery, JWKS, client auth, JIT — none of it is timed.
    for (let i = 0; i < options.warmup; i++)
      for (const name of names) await (await contenders[name]!())()
    unsealMs.length = 0

    const random = seededRandom(7)
    const perRound: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]))
    const everything: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]))
    /** Per round, per contender, the callback time of each login cycle (index i = cycle i). */
    const cycles: Array<Record<string, number[]>> = []
    for (let round = 0; round < options.rounds; round++) {
      const times: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]))
      cycles.push(times)
      for (let i = 0; i < options.perRound; i++) {
        // One login each, in a random order, so drift and the provider's growing state hit all alike.
        for (const name of shuffled(names, random)) {
          const callback = await contenders[name]!()
          const start = performance.now()
          await callback()
          times[name]!.push(performance.now() - start)
        }
      }
      for (const name of names) {
        perRound[name]!.push(summarize(times[name]!).median)
        everything[name]!.push(...times[name]!)
      }
    }
    // Paired per login cycle: the two logins compared ran back to back, so a burst of load hits both.
    const ratio = (a: string, b: string, target?: number) => ({
      label: `${a} / ${b}`,
      summary: summarize(
        cycles.map((round) => summarize(pairedRatios(round[a]!, round[b]!)).median),
      ),
      target,
    })
    return {
      options,
      series: names.map((name) => ({
        name,
        summary: summarize(perRound[name]!),
        all: summarize(everything[name]!),
      })),
      ratios: [
        ratio('oauthkit', 'openid-client', 1.3),
        ratio('oauthkit', NON_REPUDIATION),
        ratio('oauthkit', LIKE_FOR_LIKE, 1.0),
        ratio(NON_REPUDIATION, 'openid-client'),
        ratio(LIKE_FOR_LIKE, 'openid-client'),
      ],
      unsealMs: summarize(unsealMs),
    }
  } finally {
    await provider.close()
  }
}
