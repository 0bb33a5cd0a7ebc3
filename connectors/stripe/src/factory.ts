import type { BusinessConfig } from '@salvage/core';
import type { StripeConnectorConfigInput } from './stripe-config.ts';
import { createStripeConnector } from './stripe-connector.ts';

/** The connector config for a business's `stripe` block (salvage.config.yaml), or null when it has none. Pure. */
export function planStripeConfig(business: BusinessConfig): StripeConnectorConfigInput | null {
  const stripe = business.stripe;
  if (!stripe) return null;
  return {
    businessId: business.id,
    businessName: business.name,
    timezone: business.timezone,
    defaultRegion: business.defaultRegion,
    referencePattern: business.referencePattern,
    ...(stripe.account ? { account: stripe.account } : {}),
    keyEnv: stripe.keyEnv,
    ...(stripe.apiBase ? { apiBase: stripe.apiBase } : {}),
    metadataKeys: stripe.metadataKeys,
    includeTestMode: stripe.includeTestMode,
    requestShare: stripe.requestShare,
    accountRateLimit: stripe.accountRateLimit,
  };
}

/**
 * How `salvage pull --source stripe` makes this connector for a business: one instance for its account (scope
 * `<business id>/<acct_...|platform>`), or null when the business has no `stripe` block. The key stays in `env`
 * until the connector reads it by the configured name.
 */
export const stripeConnectorFactory = {
  source: 'stripe' as const,
  make(business: BusinessConfig, _env: Readonly<Record<string, string | undefined>>) {
    const config = planStripeConfig(business);
    if (!config) return null;
    return {
      connector: createStripeConnector(),
      config,
      scope: `${business.id}/${config.account ?? 'platform'}`,
    };
  },
};
