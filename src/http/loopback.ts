/**
 * Which hosts count as loopback: where plain http and non-Secure cookies are allowed.
 *
 * @module
 */

/** True for `localhost`, `*.localhost`, 127.0.0.0/8 and `[::1]`. */
export function isLoopback(url: URL): boolean {
  const host = url.hostname
  return host === 'localhost' || host.endsWith('.localhost') || isLoopbackIp(url)
}

/** True for the loopback IP literals only (127.0.0.0/8 and `[::1]`), not for names such as `localhost`. */
export function isLoopbackIp(url: URL): boolean {
  return /^127(\.\d{1,3}){3}$/.test(url.hostname) || url.hostname === '[::1]'
}
