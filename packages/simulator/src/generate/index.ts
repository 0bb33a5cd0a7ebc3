export { PLATFORM_DOMAIN } from './catalog.ts';
export {
  type GenerateProgress,
  generateIncident,
  OUTPUT_ENTRIES,
  recoverabilityOf,
} from './generate-incident.ts';
export { loadTruth, readJsonLines } from './load-truth.ts';
export { type TemplateRule, templateRules } from './mail-templates.ts';
export {
  type Manifest,
  type ManifestBusiness,
  type ManifestCounts,
  type RecoverabilityRow,
  readManifest,
} from './manifest.ts';
export {
  DEFAULT_NOISE,
  type GenerateOptions,
  type GenerateOptionsInput,
  HIGH_NOISE,
  type NoiseOptions,
  parseNoise,
  resolveOptions,
  SCALE_BOOKINGS,
  SCALES,
  type Scale,
  type Timeline,
  timelineOf,
} from './options.ts';
export { completeEndedBookings } from './snapshot.ts';
export { DUMP_SCHEMA_SQL } from './sql-dump.ts';
export { STRIPE_API_VERSION } from './stripe-objects.ts';
export { STRIPE_KINDS, type StripeKind } from './write-stripe.ts';
