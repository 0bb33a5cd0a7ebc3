import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NoiseOptions, Scale } from './options.ts';

/** The format of DIR/manifest.json (see the simulator output contract). Version 1. */
export interface Manifest {
  formatVersion: 1;
  seed: number;
  scale: Scale;
  /** The noise knobs the incident was generated with (absent in manifests written before they were recorded). */
  noise?: NoiseOptions;
  incident: { backupTakenAt: string; incidentAt: string; restoredAt: string; pulledAt: string };
  businesses: ManifestBusiness[];
  counts: ManifestCounts;
}

/** One business in the manifest, with its resources and where their .ics files are (relative to DIR). */
export interface ManifestBusiness {
  id: string;
  key: string;
  name: string;
  timezone: string;
  currency: string;
  defaultRegion: string;
  stripeAccount: string;
  mailbox: string;
  resources: { id: string; name: string; calendarId: string; icsFile: string }[];
}

/** Row counts per database, recoverability totals, and evidence items written per business and source. */
export interface ManifestCounts {
  truth: Record<string, number>;
  backup: Record<string, number>;
  restored: Record<string, number>;
  recoverability: {
    bookings: number;
    recoverable: number;
    unrecoverable: number;
    bySourceCount: Record<string, number>;
  };
  /** Per business key: bookings in the truth and evidence items written per source. */
  businesses: Record<
    string,
    {
      bookings: number;
      stripe: Record<string, number>;
      mail: { INBOX: number; Sent: number };
      calendar: { google: number; ics: number };
    }
  >;
  /** Evidence items over all sources: Stripe objects (events included), messages, calendar entries (both forms). */
  evidenceItems: number;
}

/** One line of truth/recoverability.jsonl. */
export interface RecoverabilityRow {
  businessId: string;
  reference: string;
  recoverable: boolean;
  sources: ('stripe' | 'email' | 'calendar')[];
  /** In the backup at all, and whether its row changed between the backup and the incident. */
  inBackup: boolean;
  changedSinceBackup: boolean;
}

/** Reads DIR/manifest.json; throws with the path when it is missing or not a version 1 manifest. */
export async function readManifest(dir: string): Promise<Manifest> {
  const file = join(dir, 'manifest.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`${file} is missing: generate an incident first with \`salvage simulate --out ${dir}\``, {
      cause: error,
    });
  }
  const manifest = JSON.parse(text) as Manifest;
  if (manifest.formatVersion !== 1)
    throw new Error(`${file}: formatVersion ${manifest.formatVersion} is not 1`);
  return manifest;
}
