import type { AnyConformanceCase } from './conformance.ts';

export type { AnyConformanceCase, ConformanceCase } from './conformance.ts';
export * from './conformance-checks.ts';
export * from './connector.ts';
export * from './memory-connector.ts';
export * from './runner.ts';

// vitest cannot be imported outside a vitest run, and the CLI loads this module: load the suite only under vitest.
const conformance = '__vitest_worker__' in globalThis ? await import('./conformance.ts') : null;

/**
 * The conformance suite every connector's tests call (see conformance.ts); works only inside vitest. Also importable
 * directly from '@salvage/connector-kit/conformance'.
 */
export function describeConnectorConformance(
  name: string,
  makeCase: () => Promise<AnyConformanceCase>,
): void {
  if (!conformance) throw new Error('describeConnectorConformance runs only inside a vitest test file');
  conformance.describeConnectorConformance(name, makeCase);
}
