#!/usr/bin/env node
// Runs the TypeScript sources through tsx, so `npx salvage` works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv);
