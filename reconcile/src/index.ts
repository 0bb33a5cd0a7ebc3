export * from './calibration.ts';
export * from './fellegi-sunter.ts';
export * from './input.ts';
export * from './jaro-winkler.ts';
export * from './plan-reconciliation.ts';
export * from './prng.ts';
export * from './project-plan.ts';
export * from './survivorship.ts';
