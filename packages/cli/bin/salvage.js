#!/usr/bin/env node
// Runs the TypeScript sources through tsx, so `npx salvage` works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
// `salvage ... | head` closes the pipe early: that is the reader being done, not an error to print a stack for.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv);
