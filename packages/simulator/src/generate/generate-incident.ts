import { existsSync, readdirSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stableStringify, TABLES, type TargetSnapshot } from '@salvage/core';
import { renderConfigYaml } from './config-yaml.ts';
import { openSink } from './jsonl-writer.ts';
import type { Manifest, ManifestCounts, RecoverabilityRow } from './manifest.ts';
import { type GenerateOptionsInput, resolveOptions } from './options.ts';
import {
  backupSnapshot,
  bookingRowAt,
  completeEndedBookings,
  restoredSnapshot,
  truthSnapshot,
} from './snapshot.ts';
import { writeSqlDump } from './sql-dump.ts';
import { planWorld, type World } from './world.ts';
import { writeCalendars } from './write-calendar.ts';
import { writeMail } from './write-mail.ts';
import { writeStripe } from './write-stripe.ts';

/** What generateIncident reports while it works. */
export interface GenerateProgress {
  phase: 'plan' | 'truth' | 'sql' | 'stripe' | 'mail' | 'calendar' | 'config' | 'done';
  step: number;
  steps: number;
  /** What inside the phase is under way (the business whose mailbox is being written). */
  detail?: string;
}

/** Everything generateIncident writes at the top of DIR; --force removes only these. */
export const OUTPUT_ENTRIES = [
  'manifest.json',
  'truth',
  'backup.sql',
  'restored.sql',
  'stripe',
  'mail',
  'calendar',
  'salvage.config.yaml',
];

const PHASES: GenerateProgress['phase'][] = [
  'plan',
  'truth',
  'sql',
  'stripe',
  'mail',
  'calendar',
  'config',
  'done',
];

function countRows(s: TargetSnapshot): Record<string, number> {
  return Object.fromEntries(TABLES.map((t) => [t, s[t].length]));
}

/** Each truth booking's recoverability: in which sources it left a trace, and whether the backup already has it right. */
export function recoverabilityOf(
  world: World,
  truth: TargetSnapshot,
  backup: TargetSnapshot,
): RecoverabilityRow[] {
  const backupById = new Map(backup.bookings.map((b) => [b.id, b]));
  const truthIds = new Set(truth.bookings.map((b) => b.id));
  const rows: RecoverabilityRow[] = [];
  for (const b of world.bookings) {
    if (!truthIds.has(b.id)) continue;
    const sources: RecoverabilityRow['sources'] = [];
    if (b.payments.some((p) => p.stripe !== null)) sources.push('stripe');
    if (b.inEmail) sources.push('email');
    if (b.onCalendar) sources.push('calendar');
    // A booking that merely ended since the backup is completed by the platform's own clock, not recovered.
    const backupRow = backupById.get(b.id);
    const old = backupRow ? completeEndedBookings([backupRow], world.timeline.incidentMs)[0] : undefined;
    const now = bookingRowAt(b, world.timeline.incidentMs)!;
    const changed = old ? stableStringify(old) !== stableStringify(now) : true;
    rows.push({
      businessId: b.businessId,
      reference: b.reference,
      recoverable: sources.length > 0 || !changed,
      sources,
      inBackup: old !== undefined,
      changedSinceBackup: changed,
    });
  }
  return rows;
}

/**
 * Generates a whole incident into `outDir` (see the simulator output contract): truth, backup.sql, restored.sql,
 * Stripe objects, mailboxes, calendars, salvage.config.yaml, and manifest.json last (its presence means complete).
 * Deterministic: the same options give byte-identical files. Refuses a non-empty directory unless `force`, which
 * removes only the entries it writes.
 */
export async function generateIncident(
  input: GenerateOptionsInput,
  outDir: string,
  hooks: { force?: boolean; onProgress?: (p: GenerateProgress) => void } = {},
): Promise<Manifest> {
  const options = resolveOptions(input);
  if (existsSync(outDir) && readdirSync(outDir).length > 0) {
    if (!hooks.force)
      throw new Error(
        `${outDir} is not empty: choose another --out directory, or pass --force to replace what the simulator wrote there`,
      );
    for (const entry of OUTPUT_ENTRIES) rmSync(join(outDir, entry), { recursive: true, force: true });
  }
  await mkdir(outDir, { recursive: true });
  const progress = (phase: GenerateProgress['phase'], detail?: string) =>
    hooks.onProgress?.({
      phase,
      step: PHASES.indexOf(phase) + 1,
      steps: PHASES.length,
      ...(detail ? { detail } : {}),
    });

  progress('plan');
  const world = planWorld(options);
  const truth = truthSnapshot(world);
  const backup = backupSnapshot(world);
  const restored = restoredSnapshot(world);

  progress('truth');
  for (const table of TABLES) {
    const sink = openSink(join(outDir, 'truth', `${table}.jsonl`));
    for (const row of truth[table]) await sink.line(row);
    await sink.close();
  }
  const recoverability = recoverabilityOf(world, truth, backup);
  const rsink = openSink(join(outDir, 'truth', 'recoverability.jsonl'));
  for (const row of recoverability) await rsink.line(row);
  await rsink.close();

  progress('sql');
  const t = world.timeline;
  const bsink = openSink(join(outDir, 'backup.sql'));
  await writeSqlDump(
    bsink,
    backup,
    `Backup of the booking platform taken at ${new Date(t.backupTakenMs).toISOString()}`,
  );
  await bsink.close();
  const ssink = openSink(join(outDir, 'restored.sql'));
  await writeSqlDump(
    ssink,
    restored,
    `The restored database as of ${new Date(t.pulledMs).toISOString()} (backup + use since ${new Date(t.restoredMs).toISOString()})`,
  );
  await ssink.close();

  progress('stripe');
  const stripe = await writeStripe(world, outDir);
  const mail = await writeMail(world, outDir, (key) => progress('mail', key));
  progress('calendar');
  const customers = new Map(world.customers.map((c) => [c.id, c]));
  const calendar = await writeCalendars(world, outDir, customers);
  progress('config');
  await writeFile(join(outDir, 'salvage.config.yaml'), renderConfigYaml(world));

  const bySourceCount: Record<string, number> = { '0': 0, '1': 0, '2': 0, '3': 0 };
  for (const r of recoverability) bySourceCount[String(r.sources.length)]!++;
  const businesses: ManifestCounts['businesses'] = {};
  let evidenceItems = 0;
  for (const b of world.businesses) {
    const s = stripe[b.stripeAccount]!;
    const m = mail[b.key]!;
    const c = calendar[b.key]!;
    businesses[b.key] = {
      bookings: truth.bookings.filter((x) => x.business_id === b.id).length,
      stripe: s,
      mail: m,
      calendar: c,
    };
    evidenceItems +=
      Object.entries(s).reduce((sum, [k, n]) => sum + (k === 'checkout_session_line_items' ? 0 : n), 0) +
      m.INBOX +
      m.Sent +
      c.google +
      c.ics;
  }
  const manifest: Manifest = {
    formatVersion: 1,
    seed: options.seed,
    scale: options.scale,
    noise: options.noise,
    incident: {
      backupTakenAt: new Date(t.backupTakenMs).toISOString(),
      incidentAt: new Date(t.incidentMs).toISOString(),
      restoredAt: new Date(t.restoredMs).toISOString(),
      pulledAt: new Date(t.pulledMs).toISOString(),
    },
    businesses: world.businesses.map((b) => ({
      id: b.id,
      key: b.key,
      name: b.name,
      timezone: b.timezone,
      currency: b.currency,
      defaultRegion: b.defaultRegion,
      stripeAccount: b.stripeAccount,
      mailbox: b.mailbox,
      resources: b.resources.map((r) => ({
        id: r.id,
        name: r.name,
        calendarId: r.calendarId,
        icsFile: `calendar/${b.key}/ics/${r.slug}.ics`,
      })),
    })),
    counts: {
      truth: countRows(truth),
      backup: countRows(backup),
      restored: countRows(restored),
      recoverability: {
        bookings: recoverability.length,
        recoverable: recoverability.filter((r) => r.recoverable).length,
        unrecoverable: recoverability.filter((r) => !r.recoverable).length,
        bySourceCount,
      },
      businesses,
      evidenceItems,
    },
  };
  await writeFile(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  progress('done');
  return manifest;
}
