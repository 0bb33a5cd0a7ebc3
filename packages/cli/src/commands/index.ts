import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { registerApply } from './apply.ts';
import { registerBench } from './bench.ts';
import { registerDb } from './db.ts';
import { registerDemo } from './demo.ts';
import { registerInit } from './init.ts';
import { registerPlan } from './plan.ts';
import { registerPull } from './pull.ts';
import { registerRevert } from './revert.ts';
import { registerRules } from './rules.ts';
import { registerSimulate } from './simulate.ts';
import { registerStatus } from './status.ts';
import { registerWhy } from './why.ts';

/** Every command, in the order `salvage --help` lists them. Add new commands here. */
export const commands: ((program: Command, ctx: CliContext) => void)[] = [
  registerDemo,
  registerInit,
  registerStatus,
  registerDb,
  registerPull,
  registerRules,
  registerPlan,
  registerApply,
  registerRevert,
  registerWhy,
  registerSimulate,
  registerBench,
];
