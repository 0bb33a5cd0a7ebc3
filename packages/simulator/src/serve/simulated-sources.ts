import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type GoogleServer, startGoogleServer } from '../google-server/google-server.ts';
import { loadGoogleData, simulatedGoogleToken } from '../google-server/load-google-data.ts';
import { createStripeServer, type StripeServer } from '../stripe-server/create-stripe-server.ts';
import { loadStripeFixtures } from '../stripe-server/load-stripe-fixtures.ts';
import { SIMULATED_STRIPE_KEY, simulatedGoogleTokenEnv } from './simulated-endpoints.ts';

/** The local Stripe and Google servers over one simulated incident, and the secrets its config asks for. */
export interface SimulatedSources {
  stripe: StripeServer;
  google: GoogleServer;
  /** Base URL for `stripe.apiBase`. */
  stripeUrl: string;
  /** `rootUrl` for googleapis (Gmail and Calendar). */
  googleRootUrl: string;
  /** The variables the generated config names: STRIPE_API_KEY and one GOOGLE_TOKEN_<BUSINESS> per business. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * Starts a Stripe-compatible and a Google-compatible server on 127.0.0.1 over what `salvage simulate` wrote in
 * `dir` (ports 0: any free port). Both answer only reads; anything else is refused and recorded.
 */
export async function startSimulatedSources(
  dir: string,
  options: { stripePort?: number; googlePort?: number; latencyMs?: number } = {},
): Promise<SimulatedSources> {
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as {
    businesses: { key: string }[];
  };
  const stripe = createStripeServer({
    accounts: await loadStripeFixtures(dir),
    apiKeys: [SIMULATED_STRIPE_KEY],
    latencyMs: options.latencyMs ?? 0,
  });
  const stripeUrl = await stripe.listen(options.stripePort ?? 0);
  let google: GoogleServer;
  try {
    google = await startGoogleServer(
      { ...(await loadGoogleData(dir)), latencyMs: options.latencyMs ?? 0 },
      options.googlePort ?? 0,
    );
  } catch (error) {
    await stripe.close();
    throw error;
  }
  const env: Record<string, string> = { STRIPE_API_KEY: SIMULATED_STRIPE_KEY };
  for (const b of manifest.businesses) env[simulatedGoogleTokenEnv(b.key)] = simulatedGoogleToken(b.key);
  return {
    stripe,
    google,
    stripeUrl,
    googleRootUrl: google.rootUrl,
    env,
    async close() {
      await Promise.all([stripe.close(), google.close()]);
    },
  };
}
