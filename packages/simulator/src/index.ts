/** The simulator: incident generator, local Stripe and Google servers, accuracy scorer. */
export * from './generate/index.ts';
export * from './google-server/index.ts';
export * from './score/index.ts';
export * from './serve/simulated-endpoints.ts';
export * from './serve/simulated-sources.ts';
export * from './stripe-server/index.ts';
