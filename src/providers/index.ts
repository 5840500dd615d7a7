/**
 * `oauthkit/providers`: presets for popular providers — a typed config factory, a typed raw profile,
 * the mapping to a normalised profile, and each quirk handled in a hook that says why.
 *
 * @module oauthkit/providers
 */
export { definePreset } from './preset.js'
export type { PresetOptions } from './preset.js'
export { github, githubTokenResponse } from './github.js'
export type { GitHubOptions, GitHubProfile, GitHubEmail } from './github.js'
export { twitterOAuth1 } from './twitter-oauth1.js'
export type { TwitterOAuth1Options, TwitterOAuth1Profile } from './twitter-oauth1.js'
