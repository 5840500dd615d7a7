/**
 * The dev provider's interactions: a login page that also grants everything requested, so consent
 * is never asked separately.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type Provider from 'oidc-provider'
import type { Interaction } from 'oidc-provider'
import { esc, page } from './html.js'
import type { DevAccount } from './types.js'

export async function handleInteraction(
  provider: Provider,
  accounts: DevAccount[],
  req: IncomingMessage,
  res: ServerResponse,
  action: 'login' | 'abort' | undefined,
): Promise<void> {
  const details = await provider.interactionDetails(req, res)

  if (req.method === 'GET' && action === undefined) {
    // Already logged in (e.g. a real browser's second client): only consent is missing, grant it silently.
    if (details.prompt.name === 'consent' && details.session) {
      const grantId = await grantEverything(provider, details, details.session.accountId)
      return provider.interactionFinished(req, res, { consent: { grantId } })
    }
    return sendHtml(res, 200, loginPage(details))
  }
  if (req.method !== 'POST' || action === undefined)
    return sendHtml(res, 405, page('Error', '<p>Method not allowed</p>'))

  if (action === 'abort') {
    return provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: 'End-User aborted interaction' },
      { mergeWithLastSubmission: false },
    )
  }

  const body = new URLSearchParams(await readBody(req))
  const login = body.get('login') ?? ''
  const account = findAccountByLogin(accounts, login)
  if (!account || (account.password !== undefined && account.password !== body.get('password'))) {
    return sendHtml(res, 200, loginPage(details, 'Invalid login or password', login))
  }
  const grantId = await grantEverything(provider, details, account.sub)
  await provider.interactionFinished(req, res, {
    login: { accountId: account.sub },
    consent: { grantId },
  })
}

/** Grant all requested scopes (and any claims/resource scopes the consent prompt reports missing). */
async function grantEverything(
  provider: Provider,
  details: Interaction,
  accountId: string,
): Promise<string> {
  const clientId = String(details.params.client_id)
  const existing = details.grantId ? await provider.Grant.find(details.grantId) : undefined
  const grant = existing ?? new provider.Grant({ accountId, clientId })
  if (typeof details.params.scope === 'string') grant.addOIDCScope(details.params.scope)
  const missing = details.prompt.details as {
    missingOIDCScope?: string[]
    missingOIDCClaims?: string[]
    missingResourceScopes?: Record<string, string[]>
  }
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope)
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims)
  for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(resource, scopes)
  }
  return grant.save()
}

function loginPage(details: Interaction, error?: string, login?: string): string {
  const uid = esc(details.uid)
  const hint =
    login ?? (typeof details.params.login_hint === 'string' ? details.params.login_hint : '')
  return page(
    'Sign in',
    `<h1>Sign in</h1><p>to <strong id="client-id">${esc(String(details.params.client_id))}</strong></p>` +
      (error ? `<p id="error" role="alert">${esc(error)}</p>` : '') +
      `<form id="login-form" method="post" action="/interaction/${uid}/login">` +
      `<label for="login">Email or username</label><input id="login" name="login" type="text" autocomplete="username" value="${esc(hint)}" autofocus required>` +
      '<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password">' +
      '<button id="sign-in" type="submit">Sign in</button></form>' +
      `<form id="abort-form" method="post" action="/interaction/${uid}/abort"><button id="cancel" type="submit">Cancel</button></form>`,
  )
}

export function findAccountByLogin(accounts: DevAccount[], login: string): DevAccount | undefined {
  const wanted = login.trim().toLowerCase()
  return accounts.find((a) => a.sub.toLowerCase() === wanted || a.email.toLowerCase() === wanted)
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res
    .writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
    .end(html)
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
