import { getSession } from '../lib/oauth'

export default async function Home() {
  const { token } = await getSession()
  if (!token) {
    // A plain <a>, not <Link>: Link would prefetch the login route and start a login.
    return (
      <main>
        <a id="sign-in" href="/auth/dev/login?returnTo=/profile">
          Sign in
        </a>
      </main>
    )
  }
  return (
    <main>
      <p>
        Signed in as <span id="user">{token.userinfo?.email}</span>. <a href="/profile">Profile</a>
      </p>
      <form method="post" action="/auth/logout">
        <button id="sign-out" type="submit">
          Sign out
        </button>
      </form>
    </main>
  )
}
