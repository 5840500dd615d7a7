/**
 * `oauthkit/testing`: what apps built on oauthkit use in their own tests and demos. Node only
 * (`oidc-provider`, an optional peer dependency, runs the dev provider).
 *
 * @module oauthkit/testing
 */
export {
  startDevProvider,
  DEV_CLIENTS,
  DEFAULT_DEV_ACCOUNT,
  DEV_REDIRECT_URI,
  DEV_REDIRECT_URIS,
  DEV_POST_LOGOUT_REDIRECT_URI,
} from './dev-provider.js'
export type {
  DevProvider,
  DevProviderOptions,
  DevAccount,
  AuthorizeResult,
} from './dev-provider.js'
export { createEmulation, completeLogin } from './emulator.js'
export type {
  EmulatedUser,
  EmulationSpec,
  EmulatedTokenContext,
  EmulatedGrant,
  ProviderEmulation,
  LoginApp,
} from './emulator.js'
export { emulateGitHub, GITHUB_TEST_USER } from './providers/github.js'
export { createOAuth1Emulation } from './oauth1-emulator.js'
export type {
  OAuth1Emulation,
  OAuth1EmulationSpec,
  OAuth1EmulatedGrant,
  OAuth1VerifiedRequest,
  OAuth1Problem,
  EmulatedConsumer,
  EmulatedSignatureMethod,
} from './oauth1-emulator.js'
export {
  emulateTwitterOAuth1,
  TWITTER_OAUTH1_TEST_USER,
  TWITTER_OAUTH1_TEST_CONSUMER,
} from './providers/twitter-oauth1.js'
export type { TwitterOAuth1EmulationOptions } from './providers/twitter-oauth1.js'
export { emulateTumblr, TUMBLR_TEST_USER, TUMBLR_TEST_CONSUMER } from './providers/tumblr.js'
export type { TumblrEmulationOptions } from './providers/tumblr.js'
export { emulateTrello, TRELLO_TEST_USER, TRELLO_TEST_CONSUMER } from './providers/trello.js'
export type { TrelloEmulationOptions } from './providers/trello.js'
export { emulateSteam, STEAM_TEST_USER, STEAM_TEST_API_KEY } from './providers/steam.js'
export type { SteamEmulation, SteamEmulationOptions } from './providers/steam.js'
export { emulateFacebook, FACEBOOK_TEST_USER } from './providers/facebook.js'
export type { FacebookEmulationOptions } from './providers/facebook.js'
export { emulateTwitter, TWITTER_TEST_USER } from './providers/twitter.js'
export type { TwitterEmulationOptions } from './providers/twitter.js'
export { emulateDiscord, DISCORD_TEST_USER } from './providers/discord.js'
export { emulateSpotify, SPOTIFY_TEST_USER } from './providers/spotify.js'
export { emulateTwitch, TWITCH_TEST_USER } from './providers/twitch.js'
export type { TwitchEmulationOptions } from './providers/twitch.js'
export { emulateReddit, REDDIT_TEST_USER } from './providers/reddit.js'
export type { RedditEmulationOptions } from './providers/reddit.js'
export { emulateDropbox, DROPBOX_TEST_USER } from './providers/dropbox.js'
export { emulateBitbucket, BITBUCKET_TEST_USER } from './providers/bitbucket.js'
export { emulateStrava, STRAVA_TEST_USER } from './providers/strava.js'
export type { StravaEmulationOptions } from './providers/strava.js'
export { emulateZoom, ZOOM_TEST_USER } from './providers/zoom.js'
export { emulateNotion, NOTION_TEST_USER } from './providers/notion.js'
export type { NotionEmulationOptions } from './providers/notion.js'
export { emulateGoogle, GOOGLE_TEST_USER, GOOGLE_WORKSPACE_TEST_USER } from './providers/google.js'
export {
  emulateMicrosoftEntraId,
  ENTRA_TEST_USER,
  ENTRA_PERSONAL_TEST_USER,
  ENTRA_TEST_TENANT_ID,
} from './providers/microsoft-entra-id.js'
export type { EntraEmulationOptions } from './providers/microsoft-entra-id.js'
export {
  emulateApple,
  generateAppleTestKey,
  APPLE_TEST_USER,
  APPLE_PRIVATE_RELAY_TEST_USER,
} from './providers/apple.js'
export type { AppleEmulationOptions, AppleTestKey } from './providers/apple.js'
export { emulateSlack, SLACK_TEST_USER } from './providers/slack.js'
export type { SlackEmulation } from './providers/slack.js'
export { emulateLinkedIn, LINKEDIN_TEST_USER } from './providers/linkedin.js'
export type { LinkedInEmulationOptions } from './providers/linkedin.js'
export { emulateOkta, OKTA_TEST_USER } from './providers/okta.js'
export { emulateAuth0, AUTH0_TEST_USER } from './providers/auth0.js'
export type { Auth0Emulation } from './providers/auth0.js'
export { emulateKeycloak, KEYCLOAK_TEST_USER } from './providers/keycloak.js'
export { emulateGitLab, GITLAB_TEST_USER } from './providers/gitlab.js'
export { emulateLine, LINE_TEST_USER } from './providers/line.js'
export type { LineEmulationOptions } from './providers/line.js'
export { emulateKakao, KAKAO_TEST_USER } from './providers/kakao.js'
export { emulateNaver, NAVER_TEST_USER } from './providers/naver.js'
export { emulateWeChat, WECHAT_TEST_USER } from './providers/wechat.js'
export { emulateSalesforce, SALESFORCE_TEST_USER } from './providers/salesforce.js'
export type { SalesforceEmulationOptions } from './providers/salesforce.js'
export { emulateCognito, COGNITO_TEST_USER } from './providers/cognito.js'
export type { CognitoEmulationOptions } from './providers/cognito.js'
export {
  emulateAtlassian,
  ATLASSIAN_TEST_USER,
  ATLASSIAN_TEST_SITE,
} from './providers/atlassian.js'
export { emulateMastodon, MASTODON_TEST_USER } from './providers/mastodon.js'
export type { MastodonEmulation } from './providers/mastodon.js'
export { emulateYahoo, YAHOO_TEST_USER } from './providers/yahoo.js'
export { emulateAmazon, AMAZON_TEST_USER } from './providers/amazon.js'
export { emulateBox, BOX_TEST_USER } from './providers/box.js'
export { emulatePatreon, PATREON_TEST_USER } from './providers/patreon.js'
export { emulateZitadel, ZITADEL_TEST_USER } from './providers/zitadel.js'
export { emulateAuthentik, AUTHENTIK_TEST_USER } from './providers/authentik.js'
export { emulateDex, DEX_TEST_USER } from './providers/dex.js'
