/**
 * Which hosts count as loopback: where plain http and non-Secure cookies are allowed.
 *
 * @module
 */

/** True for `localhost`, `*.localhost`, 127.0.0.0/8 and `[::1]`. */
export function isLoopback(url: URL): boolean {
  const host = url.hostname
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    /^127(\.\d{1,3}){3}$/.test(host) ||
    host === '[::1]'
  )
}
