/**
 * OAuth 1.0a: the app and the RFC 5849 signing layer it is built on.
 *
 * @module
 */
export { OAuth1App } from './app.js'
export type { OAuth1AppConfig, OAuth1Token, OAuth1Hooks, OAuth1FetchToken, OAuth1UpdateToken } from './app.js'
export { signRequest, importRsaSha1Key, percentEncode, baseString, baseUri } from './signature.js'
export type { SignatureMethod, SignaturePlacement, OAuth1Credentials, SignRequestInput, SignedRequest } from './signature.js'
