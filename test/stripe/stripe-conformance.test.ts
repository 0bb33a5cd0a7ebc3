import { describeConnectorConformance } from '@salvage/connector-kit';
import { createStripeConnector } from '@salvage/connector-stripe';
import { KEY_ENV, startStripeCase } from './stripe-fixture.ts';

describeConnectorConformance('stripe', async () => {
  const c = await startStripeCase();
  const connector = createStripeConnector();
  return {
    connector,
    config: c.config,
    ctx: c.ctx,
    rawConfig: {
      businessId: c.config.businessId,
      businessName: c.config.businessName,
      keyEnv: KEY_ENV,
      account: c.account,
      apiBase: c.config.apiBase,
      includeTestMode: true,
    },
    badCredentials: { config: c.config, ctx: { ...c.ctx, env: { [KEY_ENV]: 'rk_test_revokedkey00000000' } } },
    maxResumePoints: 12,
    cleanup: () => c.close(),
  };
});
