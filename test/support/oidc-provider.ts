/**
 * The real OpenID provider our tests log in against: oauthkit/testing's dev provider under the names
 * the tests use.
 */
export {
  startDevProvider as startTestProvider,
  DEV_CLIENTS as TEST_CLIENTS,
  DEFAULT_DEV_ACCOUNT as DEFAULT_TEST_ACCOUNT,
  DEV_REDIRECT_URI as TEST_REDIRECT_URI,
  DEV_REDIRECT_URIS as TEST_REDIRECT_URIS,
  DEV_POST_LOGOUT_REDIRECT_URI as TEST_POST_LOGOUT_REDIRECT_URI,
} from '../../testing/index.js'
export type {
  DevProvider as TestProvider,
  DevProviderOptions as StartTestProviderOptions,
  DevAccount as TestAccount,
  AuthorizeResult,
} from '../../testing/index.js'
