import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CalendarData } from './calendar-store.ts';
import { type MailboxInput, splitMbox } from './gmail-store.ts';
import type { GoogleAccount, GoogleServerOptions } from './google-server.ts';

/** The access token the local Google server accepts for a simulated business (its key, e.g. `harbour-kayaks`). */
export function simulatedGoogleToken(businessKey: string): string {
  return `sim-google-${businessKey}`;
}

interface ManifestShape {
  incident: { pulledAt: string };
  businesses: { key: string; mailbox: string; resources: { calendarId: string }[] }[];
}

/**
 * Reads what `salvage simulate --out DIR` wrote into server options: each business's Google calendars
 * (DIR/calendar/<key>/google/*.json) and mailbox (DIR/mail/<key>/mbox/INBOX.mbox and Sent.mbox), one account per
 * business with the token `simulatedGoogleToken(key)`, and a clock fixed at the incident's pulledAt.
 */
export async function loadGoogleData(dir: string): Promise<GoogleServerOptions> {
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as ManifestShape;
  const accounts: GoogleAccount[] = [];
  const calendars: CalendarData[] = [];
  const mailboxes: MailboxInput[] = [];
  for (const b of manifest.businesses) {
    const calendarDir = join(dir, 'calendar', b.key, 'google');
    const files = (await readdir(calendarDir).catch(() => [] as string[]))
      .filter((f) => f.endsWith('.json'))
      .sort();
    const ids: string[] = [];
    for (const f of files) {
      const data = JSON.parse(await readFile(join(calendarDir, f), 'utf8')) as CalendarData;
      calendars.push(data);
      ids.push(data.calendarId);
    }
    const messages: MailboxInput['messages'] = [];
    for (const [file, label] of [
      ['INBOX.mbox', 'INBOX'],
      ['Sent.mbox', 'SENT'],
    ] as const) {
      const text = await readFile(join(dir, 'mail', b.key, 'mbox', file), 'utf8').catch(() => null);
      if (text === null) continue;
      for (const raw of splitMbox(text))
        messages.push({ raw: raw.replace(/\r?\n/g, '\r\n'), labelIds: [label] });
    }
    mailboxes.push({ address: b.mailbox, messages });
    accounts.push({ token: simulatedGoogleToken(b.key), address: b.mailbox, calendars: ids });
  }
  const pulledAt = Date.parse(manifest.incident.pulledAt);
  return { accounts, calendars, mailboxes, now: () => pulledAt };
}
