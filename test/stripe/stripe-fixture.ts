import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ConnectorContext, silentLogger } from '@salvage/connector-kit';
import { parseStripeConfig, type StripeConnectorConfig } from '@salvage/connector-stripe';
import { type BusinessConfig, configSchema } from '@salvage/core';
import {
  createStripeServer,
  generateIncident,
  loadStripeFixtures,
  type Manifest,
  type StripeAccountInput,
  type StripeServer,
  type StripeServerOptions,
} from '@salvage/simulator';

/** A key the local server accepts; test-mode like the simulator's objects. */
export const TEST_KEY = 'rk_test_salvagelocal0000000001';
export const KEY_ENV = 'STRIPE_TEST_KEY';

let generated: Promise<{
  dir: string;
  manifest: Manifest;
  accounts: Record<string, StripeAccountInput>;
}> | null = null;

/** The simulator's small incident (seed 7), generated once per test process, with its Stripe objects loaded. */
export function smallIncident(): Promise<{
  dir: string;
  manifest: Manifest;
  accounts: Record<string, StripeAccountInput>;
}> {
  generated ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'salvage-stripe-'));
    const manifest = await generateIncident({ scale: 'small', seed: 7 }, dir);
    return { dir, manifest, accounts: await loadStripeFixtures(dir) };
  })();
  return generated;
}

export interface StripeCase {
  server: StripeServer;
  manifest: Manifest;
  accounts: Record<string, StripeAccountInput>;
  account: string;
  config: StripeConnectorConfig;
  ctx: ConnectorContext & { scope: string };
  close(): Promise<void>;
}

/**
 * A local Stripe server over the small incident, a connector config for its first business pointed at it, and a
 * context whose window is the incident's (backup minus 2 days, to the pull), or `since` when given.
 */
export async function startStripeCase(
  options: {
    server?: Partial<StripeServerOptions>;
    config?: Record<string, unknown>;
    key?: string;
    since?: string;
    signal?: AbortSignal;
    /** Which of the incident's businesses (default the first). */
    business?: number;
  } = {},
): Promise<StripeCase> {
  const { manifest, accounts } = await smallIncident();
  const business = manifest.businesses[options.business ?? 0]!;
  const server = createStripeServer({ accounts, apiKeys: [TEST_KEY], ...options.server });
  const url = await server.listen();
  const parsed = parseStripeConfig({
    businessId: business.id,
    businessName: business.name,
    timezone: business.timezone,
    defaultRegion: business.defaultRegion,
    account: business.stripeAccount,
    keyEnv: KEY_ENV,
    apiBase: url,
    includeTestMode: true,
    requestShare: 1,
    retry: { baseDelayMs: 20, maxDelayMs: 200 },
    // A checkpoint after every page, so resume tests have many points to resume from.
    checkpointIntervalMs: 0,
    ...options.config,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const backup = Date.parse(manifest.incident.backupTakenAt);
  const businessConfig = configSchema.parse({
    incident: { backupTakenAt: manifest.incident.backupTakenAt, incidentAt: manifest.incident.incidentAt },
    target: { url: 'postgres://unused' },
    businesses: [
      {
        id: business.id,
        name: business.name,
        timezone: business.timezone,
        currency: business.currency,
        stripe: { account: business.stripeAccount, keyEnv: KEY_ENV, apiBase: url },
      },
    ],
  }).businesses[0] as BusinessConfig;
  const ctx: ConnectorContext & { scope: string } = {
    business: businessConfig,
    window: {
      since: options.since ?? new Date(backup - 2 * 86_400_000).toISOString(),
      until: manifest.incident.pulledAt,
    },
    now: () => new Date(manifest.incident.pulledAt),
    logger: silentLogger,
    env: { [KEY_ENV]: options.key ?? TEST_KEY },
    scope: `${business.id}/${business.stripeAccount}`,
    ...(options.signal ? { signal: options.signal } : {}),
  };
  return {
    server,
    manifest,
    accounts,
    account: business.stripeAccount,
    config: parsed.config,
    ctx,
    close: () => server.close(),
  };
}
