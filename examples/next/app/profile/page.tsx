import { getOAuth } from 'oauthkit/next'
import { isOAuthKitError, type UserInfo } from 'oauthkit'
import { redirect } from 'next/navigation'
import { getSession, oauth } from '../../lib/oauth'

// A Server Component: it reads cookies (the session) but may not write them.
export default async function Profile() {
  const { token } = await getSession()
  if (!token) {
    return (
      <main>
        <p>Not signed in.</p>
        <a id="sign-in" href="/auth/dev/login?returnTo=/profile">
          Sign in
        </a>
      </main>
    )
  }
  // An authenticated API call: the bound registry's get() takes the token from fetchToken (the session).
  const { userinfo_endpoint } = await oauth.create('dev').loadServerMetadata()
  const me = await (await getOAuth(oauth))
    .create('dev')
    .get(userinfo_endpoint!)
    .json<UserInfo>()
    .catch((err: unknown) => {
      // The provider no longer accepts the token (revoked, or replaced by a newer login in another tab).
      if (isOAuthKitError(err, 'reauthentication_required') || (err as { response?: Response }).response?.status === 401) return undefined
      throw err
    })
  if (!me) redirect('/auth/dev/login?returnTo=/profile') // sign in again, no prompt while the provider session lasts
  return (
    <main>
      <h1>{token.userinfo?.name}</h1>
      <p>
        Email (ID token): <span id="email">{token.userinfo?.email}</span>
      </p>
      <p>Userinfo endpoint:</p>
      <pre id="userinfo">{JSON.stringify(me, null, 2)}</pre>
      <form method="post" action="/auth/logout">
        <button id="sign-out" type="submit">
          Sign out
        </button>
      </form>
      <a href="/">Home</a>
    </main>
  )
}
