// Names shared by the generated config and the local servers, kept apart so the generator loads no server code.

/** The restricted test-mode key the simulated Stripe server accepts (it holds test-mode objects only). */
export const SIMULATED_STRIPE_KEY = 'rk_test_salvagesimulated00000001';

/** Where `salvage simulate serve` listens by default; the config `salvage simulate` writes points here. */
export const SIMULATED_STRIPE_PORT = 12111;
export const SIMULATED_GOOGLE_PORT = 12112;

/** The environment variable a simulated business's Google token is read from (the generated config names it). */
export function simulatedGoogleTokenEnv(businessKey: string): string {
  return `GOOGLE_TOKEN_${businessKey.toUpperCase().replace(/-/g, '_')}`;
}
