import type { TargetIdentity } from '@salvage/core';
import type { ControlledTransaction } from 'kysely';
import { buildTryLock, buildWaitLock } from './statements.ts';

/** Why apply or revert will not write, with what to do. Codes are stable. */
export type RefusalCode =
  | 'wrong_target'
  | 'confirm_target_missing'
  | 'confirm_target_mismatch'
  | 'locked'
  | 'plan_consumed'
  | 'undecided_items'
  | 'invalid_decision'
  | 'stale_plan'
  | 'mapping_mismatch'
  | 'batch_not_found'
  | 'batch_reverted';

export interface Refusal {
  code: RefusalCode;
  message: string;
  items?: { itemId?: string; table?: string; key?: string; reason: string }[];
}

/**
 * Compares the identity recorded (in a plan or a batch) with the target's now: system identifier, database name and
 * schema fingerprint must all match. Returns the refusal, or null.
 */
export function compareIdentity(
  recorded: TargetIdentity,
  now: TargetIdentity,
  what: 'plan' | 'batch',
): Refusal | null {
  const differs: string[] = [];
  if (recorded.systemIdentifier !== now.systemIdentifier)
    differs.push(`server (system identifier ${recorded.systemIdentifier}, now ${now.systemIdentifier})`);
  if (recorded.databaseName !== now.databaseName)
    differs.push(`database '${recorded.databaseName}' (this is '${now.databaseName}')`);
  if (recorded.schemaFingerprint !== now.schemaFingerprint)
    differs.push('schema (its tables or columns changed)');
  if (differs.length === 0) return null;
  return {
    code: 'wrong_target',
    message:
      what === 'plan'
        ? `this plan was made for another target: ${differs.join(', ')}; point target in salvage.config.yaml at the database the plan was made for, or run 'salvage plan' against this one`
        : `this batch was applied to another target: ${differs.join(', ')}; point target at the database it was applied to`,
  };
}

/**
 * Takes salvage's transaction-scoped advisory lock (released at commit or rollback). Without `wait`, a lock held by
 * another apply or revert is a refusal; with it, this call waits until the other one ends.
 */
export async function takeApplyLock(
  trx: ControlledTransaction<unknown>,
  wait: boolean,
): Promise<Refusal | null> {
  if (wait) {
    await trx.executeQuery(buildWaitLock());
    return null;
  }
  const { rows } = await trx.executeQuery<{ locked: boolean }>(buildTryLock());
  if (rows[0]?.locked) return null;
  return {
    code: 'locked',
    message:
      'another salvage apply or revert is running on this target; wait for it to finish, or pass --wait',
  };
}
