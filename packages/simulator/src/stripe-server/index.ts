export {
  type AccountData,
  LISTED_KINDS,
  type ListedKind,
  type StripeAccountInput,
  type StripeObject,
} from './account-data.ts';
export {
  createStripeServer,
  type StripeFault,
  type StripeKeyGrant,
  type StripeRecordedRequest,
  type StripeServer,
  type StripeServerOptions,
} from './create-stripe-server.ts';
export { loadStripeFixtures } from './load-stripe-fixtures.ts';
