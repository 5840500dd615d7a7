/**
 * 1. Sequential authenticated GETs against the loopback API: oauthkit's `app.get(...).json()` against bare
 *    ky and plain fetch, on a server that answers at once and one that answers after 1 ms; then a study
 *    of ky configurations, and of where oauthkit's own layer sits between bare ky and `app.get`.
 */
import ky, { type KyInstance, type Options as KyOptions } from 'ky'
import * as client from 'openid-client'
import { OAuth, isOAuthKitError, type OAuth2Token } from '../src/index.js'
import { API_TOKEN } from './api-server.js'
import {
  interleave,
  pairedRatios,
  summarize,
  type InterleaveOptions,
  type InterleaveResult,
  type Operation,
  type Summary,
} from './stats.js'

/** One contender: each metric summarized over the rounds (µs). */
export interface Series {
  name: string
  median: Summary
  mean: Summary
  cpu: Summary
}

/** A ratio of two contenders, computed per round (both measured in the same round), then summarized. */
export interface RatioResult {
  label: string
  median: Summary
  mean: Summary
  cpu: Summary
  target?: number
}

export interface ApiGroupResult {
  title: string
  options: InterleaveOptions
  series: Series[]
  ratios: RatioResult[]
}

const BENCH_SECRET = 'bench-secret-that-is-at-least-32-characters-long'

/** A fresh token (an hour left, so no refresh), as the app would read it from its store. */
function freshToken(): OAuth2Token {
  return {
    access_token: API_TOKEN,
    token_type: 'Bearer',
    refresh_token: 'bench-refresh',
    expires_at: Math.floor(Date.now() / 1000) + 3600,
  }
}

function oauthkitApp(origin: string) {
  return new OAuth({ secret: BENCH_SECRET })
    .register('api', {
      clientId: 'bench-client',
      clientSecret: 'bench-client-secret',
      authorizeUrl: `${origin}/authorize`,
      accessTokenUrl: `${origin}/token`,
      apiBaseUrl: origin,
    })
    .create('api')
}

/** Per-call state, as oauthkit's ApiClient keeps it in ky's `context`. */
interface MirrorState {
  token?: OAuth2Token
  retried: boolean
}

/**
 * A bare ky instance configured the way oauthkit's ApiClient (src/api.ts) configures its own: the same
 * fetch wrapper, retry predicate, async beforeRequest hook reading the per-call state from `context`, and
 * async afterResponse hook looking for a 401 — with the token logic reduced to "use the token given".
 * `app.get` minus this is oauthkit's own layer; this minus bare ky is the cost of the ky configuration.
 */
function apiClientMirror(overrides: { timeout?: false; afterResponse?: boolean } = {}): KyInstance {
  const options: KyOptions = {
    fetch: (input, init) => globalThis.fetch(input, init),
    retry: { shouldRetry: ({ error }) => (isOAuthKitError(error) ? false : undefined) },
    hooks: {
      beforeRequest: [
        async (request, kyOptions) => {
          const state = kyOptions.context.bench as MirrorState
          const token = await Promise.resolve(state.token!)
          request.headers.set('authorization', `Bearer ${token.access_token}`)
          return undefined
        },
      ],
      afterResponse:
        overrides.afterResponse === false
          ? []
          : [
              async (_request, kyOptions, response) => {
                const state = kyOptions.context.bench as MirrorState
                if (response.status !== 401 || state.retried) return
                state.retried = true
              },
            ],
    },
  }
  if (overrides.timeout === false) options.timeout = false
  return ky.create(options)
}

/**
 * The ApiClient-like instance with its 401 check moved from an afterResponse hook into the `fetch` function
 * ky is given (ApiClient already passes one): ky clones every response for each afterResponse hook, while
 * this only looks at the status. The per-call state reaches the wrapper through a WeakMap keyed by the
 * request the beforeRequest hook signed (ky hands that same Request to `fetch`). The recovery itself (refresh,
 * then re-send a re-signed copy) is left out: it never runs here, as nothing answers 401.
 */
function apiClientMirrorFetch401(): KyInstance {
  const states = new WeakMap<Request, MirrorState>()
  return ky.create({
    fetch: async (input, init) => {
      const response = await globalThis.fetch(input, init)
      if (response.status !== 401 || !(input instanceof Request)) return response
      const state = states.get(input)
      if (state && !state.retried) state.retried = true
      return response
    },
    retry: { shouldRetry: ({ error }) => (isOAuthKitError(error) ? false : undefined) },
    hooks: {
      beforeRequest: [
        async (request, kyOptions) => {
          const state = kyOptions.context.bench as MirrorState
          const token = await Promise.resolve(state.token!)
          request.headers.set('authorization', `Bearer ${token.access_token}`)
          states.set(request, state)
          return undefined
        },
      ],
    },
  })
}

function mirrorCall(instance: KyInstance, url: string, token: OAuth2Token): Operation {
  return () =>
    instance(url, {
      method: 'GET',
      context: { bench: { token, retried: false } satisfies MirrorState },
    }).json()
}

export const OPENID_CLIENT_GET = 'openid-client'

/** openid-client v6 configured for the same loopback server (http allowed, as oauthkit allows it on loopback). */
function openidClientConfig(origin: string): client.Configuration {
  const config = new client.Configuration({ issuer: origin }, 'bench-client', 'bench-client-secret')
  client.allowInsecureRequests(config)
  return config
}

/** The contenders the targets are about: plain fetch, bare ky, openid-client and app.get. */
function mainContenders(origin: string, path: string): Record<string, Operation> {
  const url = `${origin}${path}`
  const headers = { authorization: `Bearer ${API_TOKEN}` }
  const app = oauthkitApp(origin)
  const token = freshToken()
  const config = openidClientConfig(origin)
  const target = new URL(url)
  return {
    fetch: async () => (await fetch(url, { headers })).json(),
    ky: () => ky.get(url, { headers }).json(),
    [OPENID_CLIENT_GET]: async () =>
      (await client.fetchProtectedResource(config, API_TOKEN, target, 'GET')).json(),
    'app.get': () => app.get(url, { token }).json(),
  }
}

/** Bare ky under different options, ky with oauthkit's hooks, and app.get with a per-call option. */
function configContenders(origin: string, path: string): Record<string, Operation> {
  const url = `${origin}${path}`
  const headers = { authorization: `Bearer ${API_TOKEN}` }
  const app = oauthkitApp(origin)
  const token = freshToken()
  const kyRetry0 = ky.create({ retry: 0 })
  const kyNoTimeout = ky.create({ timeout: false })
  const kyNoThrow = ky.create({ throwHttpErrors: false })
  const kyAllThree = ky.create({ retry: 0, timeout: false, throwHttpErrors: false })
  const kyHook = ky.create({
    hooks: {
      beforeRequest: [
        (request) => void request.headers.set('authorization', `Bearer ${API_TOKEN}`),
      ],
    },
  })
  const mirror = apiClientMirror()
  const mirrorNoTimeout = apiClientMirror({ timeout: false })
  const mirrorNoAfter = apiClientMirror({ afterResponse: false })
  const mirrorFetch401 = apiClientMirrorFetch401()
  const withHook = new OAuth({ secret: BENCH_SECRET })
    .register('api', {
      clientId: 'bench-client',
      clientSecret: 'bench-client-secret',
      authorizeUrl: `${origin}/authorize`,
      accessTokenUrl: `${origin}/token`,
      apiBaseUrl: origin,
      hooks: { protectedRequest: () => undefined },
    })
    .create('api')
  return {
    fetch: async () => (await fetch(url, { headers })).json(),
    ky: () => ky.get(url, { headers }).json(),
    'ky retry:0': () => kyRetry0.get(url, { headers }).json(),
    'ky timeout:false': () => kyNoTimeout.get(url, { headers }).json(),
    'ky throwHttpErrors:false': () => kyNoThrow.get(url, { headers }).json(),
    'ky all three': () => kyAllThree.get(url, { headers }).json(),
    'ky + beforeRequest hook': () => kyHook.get(url).json(),
    'ky like ApiClient': mirrorCall(mirror, url, token),
    'ky like ApiClient, timeout:false': mirrorCall(mirrorNoTimeout, url, token),
    'ky like ApiClient, no afterResponse': mirrorCall(mirrorNoAfter, url, token),
    'ky like ApiClient, 401 check in fetch': mirrorCall(mirrorFetch401, url, token),
    'app.get': () => app.get(url, { token }).json(),
    'app.get, timeout:false per call': () => app.get(url, { token, timeout: false }).json(),
    [SIGNED_COPY]: () => withHook.get(url, { token }).json(),
  }
}

/**
 * app.get on an app with a no-op `protectedRequest` hook: a hook needs a Request to look at, so the call
 * signs a copy of ky's request (the path every call took before the Bearer header went to fetch's init).
 */
export const SIGNED_COPY = 'app.get, signed Request copy (no-op hook)'

function toSeries(result: InterleaveResult): Series[] {
  return Object.keys(result.median).map((name) => ({
    name,
    median: summarize(result.median[name]!),
    mean: summarize(result.mean[name]!),
    cpu: summarize(result.cpu[name]!),
  }))
}

function ratio(
  result: InterleaveResult,
  numerator: string,
  denominator: string,
  target?: number,
): RatioResult {
  const paired = (series: Record<string, number[]>) =>
    summarize(pairedRatios(series[numerator]!, series[denominator]!))
  return {
    label: `${numerator} / ${denominator}`,
    median: paired(result.median),
    mean: paired(result.mean),
    cpu: paired(result.cpu),
    target,
  }
}

export async function sequentialGets(
  origin: string,
  slow: boolean,
  options: InterleaveOptions,
): Promise<ApiGroupResult> {
  const measured = await interleave(
    mainContenders(origin, slow ? '/slow/user' : '/fast/user'),
    options,
  )
  return {
    title: slow ? 'Server answering after 1 ms' : 'Bare loopback server (answers at once)',
    options,
    series: toSeries(measured),
    ratios: [
      ratio(measured, 'app.get', OPENID_CLIENT_GET, slow ? undefined : 1.0),
      ratio(measured, 'app.get', 'ky', 1.05),
      ratio(measured, 'app.get', 'fetch', slow ? 1.1 : undefined),
      ratio(measured, OPENID_CLIENT_GET, 'fetch'),
      ratio(measured, 'ky', 'fetch'),
    ],
  }
}

export async function kyConfigurations(
  origin: string,
  options: InterleaveOptions,
): Promise<ApiGroupResult> {
  const measured = await interleave(configContenders(origin, '/fast/user'), options)
  return {
    title: 'ky configurations and oauthkit layers (bare loopback server)',
    options,
    series: toSeries(measured),
    ratios: [
      ratio(measured, 'ky', 'fetch'),
      ratio(measured, 'ky retry:0', 'ky'),
      ratio(measured, 'ky timeout:false', 'ky'),
      ratio(measured, 'ky throwHttpErrors:false', 'ky'),
      ratio(measured, 'ky all three', 'ky'),
      ratio(measured, 'ky timeout:false', 'fetch'),
      ratio(measured, 'ky + beforeRequest hook', 'ky'),
      ratio(measured, 'ky like ApiClient', 'ky'),
      ratio(measured, 'ky like ApiClient, no afterResponse', 'ky like ApiClient'),
      ratio(measured, 'ky like ApiClient, 401 check in fetch', 'ky like ApiClient'),
      ratio(measured, 'ky like ApiClient, 401 check in fetch', 'ky'),
      ratio(measured, 'ky like ApiClient, timeout:false', 'ky like ApiClient'),
      ratio(measured, 'app.get', 'ky like ApiClient'),
      ratio(measured, 'app.get', 'ky'),
      ratio(measured, 'app.get, timeout:false per call', 'app.get'),
      ratio(measured, 'app.get, timeout:false per call', 'ky'),
      ratio(measured, 'app.get', SIGNED_COPY),
    ],
  }
}
