// Starts a message worker (message-worker.ts) through tsx: a worker thread does not inherit a loader registered
// through tsx's API (as the salvage CLI registers it), and tsImport works whether or not one is registered.
const { tsImport } = await import('tsx/esm/api');
await tsImport('./message-worker.ts', import.meta.url);
