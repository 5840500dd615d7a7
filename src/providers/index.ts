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
export { google } from './google.js'
export type { GoogleOptions, GoogleProfile } from './google.js'
export { microsoftEntraId, ENTRA_CONSUMER_TENANT_ID } from './microsoft-entra-id.js'
export type {
  MicrosoftEntraIdOptions,
  EntraTenant,
  EntraIdTokenClaims,
} from './microsoft-entra-id.js'
export { apple, appleClientSecret, appleUser, APPLE_CLIENT_SECRET_MAX_LIFETIME } from './apple.js'
export type {
  AppleOptions,
  AppleClientSecretOptions,
  AppleIdTokenClaims,
  AppleProfile,
  AppleProfileLoader,
  AppleUser,
} from './apple.js'
export { slack, slackTokenResponse, slackEmptyNonce, slackUserinfoResponse } from './slack.js'
export type { SlackOptions, SlackProfile } from './slack.js'
export { linkedin } from './linkedin.js'
export type { LinkedInOptions, LinkedInProfile } from './linkedin.js'
export { okta } from './okta.js'
export type { OktaOptions, OktaProfile } from './okta.js'
export { auth0 } from './auth0.js'
export type { Auth0Options, Auth0Profile } from './auth0.js'
export { keycloak } from './keycloak.js'
export type { KeycloakOptions, KeycloakProfile } from './keycloak.js'
export { gitlab } from './gitlab.js'
export type { GitLabOptions, GitLabProfile } from './gitlab.js'
export {
  facebook,
  facebookTokenResponse,
  facebookAppsecretProof,
  FACEBOOK_GRAPH_VERSION,
} from './facebook.js'
export type { FacebookOptions, FacebookProfile } from './facebook.js'
export { twitter } from './twitter.js'
export type { TwitterOptions, TwitterProfile } from './twitter.js'
export { discord, discordAvatarUrl } from './discord.js'
export type { DiscordOptions, DiscordProfile } from './discord.js'
export { spotify } from './spotify.js'
export type { SpotifyOptions, SpotifyProfile, SpotifyImage } from './spotify.js'
export { twitch, twitchScopeResponse, twitchClientIdHeader } from './twitch.js'
export type { TwitchOptions, TwitchProfile } from './twitch.js'
export { reddit, redditTokenResponse, redditRawJson, redditInstalledAppAuth } from './reddit.js'
export type { RedditOptions, RedditProfile } from './reddit.js'
export { dropbox, dropboxRpcPost } from './dropbox.js'
export type { DropboxOptions, DropboxProfile } from './dropbox.js'
export { bitbucket, bitbucketTokenResponse } from './bitbucket.js'
export type { BitbucketOptions, BitbucketProfile, BitbucketEmail } from './bitbucket.js'
export { strava, stravaScope, stravaTokenResponse } from './strava.js'
export type { StravaOptions, StravaProfile } from './strava.js'
export { zoom, zoomTokenResponse } from './zoom.js'
export type { ZoomOptions, ZoomProfile } from './zoom.js'
export {
  notion,
  notionJsonTokenRequest,
  notionTokenResponse,
  notionVersionHeader,
  NOTION_VERSION,
} from './notion.js'
export type { NotionOptions, NotionProfile, NotionUser } from './notion.js'
export { twitterOAuth1 } from './twitter-oauth1.js'
export type { TwitterOAuth1Options, TwitterOAuth1Profile } from './twitter-oauth1.js'
export { tumblr } from './tumblr.js'
export type { TumblrOptions, TumblrProfile, TumblrBlog } from './tumblr.js'
export { trello } from './trello.js'
export type { TrelloOptions, TrelloProfile, TrelloScope, TrelloExpiration } from './trello.js'
export { steam, steamId } from './steam.js'
export type { SteamOptions, SteamProfile } from './steam.js'
export { line } from './line.js'
export type { LineOptions, LineProfile } from './line.js'
export { kakao, kakaoApiResponse, kakaoTokenResponse } from './kakao.js'
export type { KakaoOptions, KakaoProfile } from './kakao.js'
export { naver, naverApiResponse, naverTokenResponse } from './naver.js'
export type { NaverOptions, NaverProfile, NaverEnvelope } from './naver.js'
export {
  wechat,
  wechatAuthorizationUrl,
  wechatTokenRequest,
  wechatRefreshRequest,
  wechatTokenResponse,
  wechatApiResponse,
} from './wechat.js'
export type { WeChatOptions, WeChatProfile } from './wechat.js'
export {
  salesforce,
  salesforceSignature,
  SALESFORCE_LOGIN_URL,
  SALESFORCE_SANDBOX_URL,
} from './salesforce.js'
export type { SalesforceOptions, SalesforceProfile } from './salesforce.js'
export { cognito, cognitoLogoutUrl } from './cognito.js'
export type { CognitoOptions, CognitoProfile } from './cognito.js'
export { atlassian, atlassianSites, atlassianSiteUrl } from './atlassian.js'
export type {
  AtlassianOptions,
  AtlassianProfile,
  AtlassianSite,
  AtlassianApi,
} from './atlassian.js'
export { mastodon, mastodonRegistrationRequest, mastodonRegistrationResponse } from './mastodon.js'
export type { MastodonOptions, MastodonProfile } from './mastodon.js'
export { yahoo } from './yahoo.js'
export type { YahooOptions, YahooProfile } from './yahoo.js'
export { amazon } from './amazon.js'
export type { AmazonOptions, AmazonProfile } from './amazon.js'
export { box } from './box.js'
export type { BoxOptions, BoxProfile } from './box.js'
export { patreon } from './patreon.js'
export type { PatreonOptions, PatreonProfile } from './patreon.js'
export { zitadel } from './zitadel.js'
export type { ZitadelOptions, ZitadelProfile } from './zitadel.js'
export { authentik } from './authentik.js'
export type { AuthentikOptions, AuthentikProfile } from './authentik.js'
export { dex } from './dex.js'
export type { DexOptions, DexProfile } from './dex.js'
