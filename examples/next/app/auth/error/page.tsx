export default async function AuthError({ searchParams }: { searchParams: Promise<{ code?: string }> }) {
  const { code } = await searchParams
  return (
    <main>
      <h1>Sign-in failed</h1>
      <p>
        Error code: <code id="error-code">{/^[a-z0-9_]+$/.test(code ?? '') ? code : 'unknown'}</code>
      </p>
      <a href="/">Home</a>
    </main>
  )
}
