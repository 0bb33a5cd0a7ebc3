import { mkdirSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer';
import { PLATFORM_DOMAIN } from './catalog.ts';
import { escapeText, foldLine, localStamp, utcStamp, VTIMEZONES } from './ics-text.ts';
import { openSink } from './jsonl-writer.ts';
import { type MailKind, renderMail } from './mail-templates.ts';
import { createRng } from './prng.ts';
import {
  type SimBooking,
  type SimBusiness,
  type SimResource,
  scheduleAt,
  templateVersionAt,
  type World,
} from './world.ts';
import { wallAt as wallTimeAt } from './zone-clock.ts';

/**
 * Each business's mailbox as RFC 5322 messages, written twice: mbox (mboxrd: From_ separator lines, `>From ` quoting)
 * and Maildir++ (cur/new/tmp, `.Sent` subfolder). Sent holds the platform's mails to customers; INBOX holds customers'
 * replies and other mail. Messages are built with nodemailer's MailComposer, with fixed dates, ids and boundaries.
 */

type Folder = 'INBOX' | 'Sent';

interface PlannedMessage {
  atMs: number;
  folder: Folder;
  key: string;
  options: () => Record<string, unknown>;
}

const CRLF = /\r\n/g;

/** `Tue Nov  3 14:20:00 2026`: the asctime form of a From_ line, in UTC. */
export function asctime(ms: number): string {
  const d = new Date(ms);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

/** One message as an mboxrd entry: From_ line, LF line ends, `>`-quoted From lines, a blank line after. */
export function mboxEntry(sender: string, ms: number, raw: Buffer): string {
  const body = raw
    .toString('utf8')
    .replace(CRLF, '\n')
    .replace(/^(>*From )/gm, '>$1');
  return `From ${sender} ${asctime(ms)}\n${body}${body.endsWith('\n') ? '' : '\n'}\n`;
}

function compose(options: Record<string, unknown>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    new MailComposer(options as never)
      .compile()
      .build((error, message) => (error ? reject(error) : resolve(message)));
  });
}

function invitation(
  method: 'REQUEST' | 'CANCEL',
  b: SimBooking,
  business: SimBusiness,
  resource: SimResource,
  startsMs: number,
  endsMs: number,
  sequence: number,
  stampMs: number,
): string {
  const zone = business.timezone;
  const w = (ms: number) => localStamp(wallTimeAt(ms, zone));
  const when = b.allDay
    ? [`DTSTART;VALUE=DATE:${w(startsMs).slice(0, 8)}`, `DTEND;VALUE=DATE:${w(endsMs).slice(0, 8)}`]
    : [`DTSTART;TZID=${zone}:${w(startsMs)}`, `DTEND;TZID=${zone}:${w(endsMs)}`];
  const lines = [
    'BEGIN:VCALENDAR',
    'PRODID:-//RentalHub//Mailer 2.3//EN',
    'VERSION:2.0',
    `METHOD:${method}`,
    ...VTIMEZONES[zone]!,
    'BEGIN:VEVENT',
    `UID:${b.id}@${PLATFORM_DOMAIN}`,
    `DTSTAMP:${utcStamp(stampMs)}`,
    ...when,
    `SEQUENCE:${sequence}`,
    `STATUS:${method === 'CANCEL' ? 'CANCELLED' : 'CONFIRMED'}`,
    `SUMMARY:${escapeText(`${resource.name} – ${b.reference}`)}`,
    `DESCRIPTION:${escapeText(`Booking ${b.reference} at ${business.name}`)}`,
    `ORGANIZER;CN=${JSON.stringify(business.name)}:mailto:${business.mailbox}`,
    `ATTENDEE;CN=${JSON.stringify(b.contact.name)};ROLE=REQ-PARTICIPANT;RSVP=FALSE:mailto:${b.contact.email}`,
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return `${lines.map(foldLine).join('\r\n')}\r\n`;
}

const REPLIES = [
  'Thanks! Can we bring our dog?',
  'Great, see you then.\nFrom what I understand parking is free, right?',
  'Hi, is there a place to leave our bags?',
  'Could you send me an invoice with my company name on it?',
  'Thank you! We might be 15 minutes late.',
  'From the photos it looks lovely. Is there wifi?',
];

const NOISE = [
  [
    'RentalHub',
    `news@${PLATFORM_DOMAIN}`,
    'What’s new on RentalHub this month',
    'New: deposits by invoice, better calendar sync.',
  ],
  [
    'Stripe',
    'notifications@stripe.com',
    'Your payout is on the way',
    'A payout to your bank account is on its way.',
  ],
  [
    'Local Tourism Board',
    'info@visit.example',
    'Summer season meeting',
    'From next week, the harbour car park closes at 20:00.',
  ],
] as const;

/** Plans and writes one business's mailbox; returns message counts per folder. */
async function writeBusinessMail(
  world: World,
  business: SimBusiness,
  outDir: string,
): Promise<Record<Folder, number>> {
  const { pulledMs } = world.timeline;
  const planned: PlannedMessage[] = [];
  const resources = new Map(business.resources.map((r) => [r.id, r]));
  const from = { name: business.name, address: business.mailbox };
  for (const b of world.bookings) {
    if (b.businessId !== business.id || !b.inEmail || b.createdMs > pulledMs) continue;
    const resource = resources.get(b.resourceId)!;
    const rng = createRng(world.options.seed, `mail:${b.id}`);
    const to = { name: b.contact.name, address: b.contact.email };
    const platformMail = (
      kind: MailKind,
      atMs: number,
      n: number,
      schedule: { startsMs: number; endsMs: number },
      extra: { refundMinor?: number; invite?: 'REQUEST' | 'CANCEL'; sequence?: number },
    ) => {
      const version = templateVersionAt(world, atMs);
      const key = `${b.id}.${kind}.${n}`;
      planned.push({
        atMs,
        folder: 'Sent',
        key,
        options: () => {
          const m = renderMail({
            version,
            kind,
            businessName: business.name,
            zone: business.timezone,
            reference: b.reference,
            resourceName: resource.name,
            startsMs: schedule.startsMs,
            endsMs: schedule.endsMs,
            allDay: b.allDay,
            amountMinor: b.totalMinor,
            currency: b.currency,
            refundMinor: extra.refundMinor ?? 0,
            name: b.contact.name,
            email: b.contact.email,
            phone: b.contact.phone,
            notes: b.notes,
          });
          return {
            from,
            to,
            subject: m.subject,
            text: m.text,
            html: m.html,
            date: new Date(atMs),
            messageId: `<${key}@${PLATFORM_DOMAIN}>`,
            headers: {
              'X-Mailer': `RentalHub Mailer ${version}.${kind.length % 4}`,
              'X-RentalHub-Template': `${kind}-v${version}`,
            },
            ...(extra.invite
              ? {
                  icalEvent: {
                    method: extra.invite,
                    filename: extra.invite === 'CANCEL' ? 'cancel.ics' : 'invite.ics',
                    content: invitation(
                      extra.invite,
                      b,
                      business,
                      resource,
                      schedule.startsMs,
                      schedule.endsMs,
                      extra.sequence ?? 0,
                      atMs,
                    ),
                  },
                }
              : {}),
          };
        },
      });
    };
    const first = b.schedules[0]!;
    const v0 = templateVersionAt(world, b.createdMs);
    const invite = v0 === 3 || (v0 === 2 && rng.chance(0.5));
    platformMail(
      'confirmation',
      b.createdMs + 30_000,
      0,
      first,
      invite ? { invite: 'REQUEST', sequence: 0 } : {},
    );
    for (const [i, s] of b.schedules.entries()) {
      if (i === 0 || s.atMs > pulledMs) continue;
      platformMail('reschedule', s.atMs + 30_000, i, s, invite ? { invite: 'REQUEST', sequence: i } : {});
    }
    if (b.cancelledMs !== null && b.cancelledMs <= pulledMs) {
      const refundMinor = b.payments
        .flatMap((p) => p.refunds)
        .filter((r) => r.atMs >= b.cancelledMs!)
        .reduce((s, r) => s + r.amountMinor, 0);
      const last = b.schedules[b.schedules.length - 1]!;
      platformMail('cancellation', b.cancelledMs + 30_000, 0, last, {
        refundMinor,
        ...(invite ? { invite: 'CANCEL' as const, sequence: b.schedules.length } : {}),
      });
    }
    for (const [i, p] of b.payments.entries()) {
      if (
        p.method !== 'card' ||
        p.paidMs === null ||
        p.paidMs > pulledMs ||
        templateVersionAt(world, p.paidMs) === 1
      )
        continue;
      // A receipt prints the booking as it stands when it is paid, after any reschedule before then.
      platformMail('receipt', p.paidMs + 60_000, i, scheduleAt(b, p.paidMs), { refundMinor: p.amountMinor });
    }
    if (b.replyAfterMs !== null && b.createdMs + b.replyAfterMs <= pulledMs) {
      const atMs = b.createdMs + b.replyAfterMs;
      const confirmationId = `<${b.id}.confirmation.0@${PLATFORM_DOMAIN}>`;
      const subject = renderMail({
        version: v0,
        kind: 'confirmation',
        businessName: business.name,
        zone: business.timezone,
        reference: b.reference,
        resourceName: resource.name,
        startsMs: first.startsMs,
        endsMs: first.endsMs,
        allDay: b.allDay,
        amountMinor: b.totalMinor,
        currency: b.currency,
        refundMinor: 0,
        name: b.contact.name,
        email: b.contact.email,
        phone: b.contact.phone,
      }).subject;
      const said = rng.pick(REPLIES);
      const key = `${b.id}.reply.0`;
      const domain = b.contact.email.split('@')[1] ?? 'mail.example';
      planned.push({
        atMs,
        folder: 'INBOX',
        key,
        options: () => ({
          from: to,
          to: from,
          subject: `Re: ${subject}`,
          text: `${said}\n\n${b.contact.name.split(/[ ,]+/)[0]}\n\nOn ${new Date(b.createdMs).toUTCString()}, ${business.name} <${business.mailbox}> wrote:\n> Your booking is confirmed.\n> Reference: ${b.reference}\n`,
          date: new Date(atMs),
          messageId: `<${createRng(0, key).chars(20, 'abcdefghijklmnopqrstuvwxyz0123456789')}@${domain.toLowerCase()}>`,
          inReplyTo: confirmationId,
          references: [confirmationId],
          headers: {
            'X-Mailer': rng.pick(['iPhone Mail (21A329)', 'Microsoft Outlook 16.0', 'Thunderbird 128.3']),
          },
        }),
      });
    }
  }
  // Other mail: a newsletter or notice every two weeks or so.
  const nrng = createRng(world.options.seed, `mail-noise:${business.key}`);
  for (
    let t = world.timeline.windowStartMs + nrng.int(1, 14) * 86_400_000;
    t < pulledMs;
    t += nrng.int(7, 21) * 86_400_000
  ) {
    const [name, address, subject, text] = nrng.pick(NOISE);
    const key = `noise.${business.key}.${t}`;
    planned.push({
      atMs: t,
      folder: 'INBOX',
      key,
      options: () => ({
        from: { name, address },
        to: from,
        subject,
        text: `${text}\n`,
        date: new Date(t),
        messageId: `<${key}@${address.split('@')[1]}>`,
      }),
    });
  }
  planned.sort((a, b) => a.atMs - b.atMs || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

  const base = join(outDir, 'mail', business.key);
  const mbox = {
    INBOX: openSink(join(base, 'mbox', 'INBOX.mbox')),
    Sent: openSink(join(base, 'mbox', 'Sent.mbox')),
  };
  const maildirs = { INBOX: join(base, 'maildir'), Sent: join(base, 'maildir', '.Sent') };
  for (const dir of Object.values(maildirs))
    for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(maildirs.Sent, 'maildirfolder'), '');
  const counts: Record<Folder, number> = { INBOX: 0, Sent: 0 };
  // Composing and file creation wait on the event loop and the disk: a few at a time, written back in order.
  const CHUNK = 16;
  for (let start = 0; start < planned.length; start += CHUNK) {
    const chunk = planned.slice(start, start + CHUNK);
    const built = await Promise.all(
      chunk.map(async (m) => {
        const options = m.options();
        const raw = await compose({
          ...options,
          baseBoundary: createRng(0, m.key).chars(16, '0123456789abcdef'),
          boundaryPrefix: '--_RH',
        });
        return { m, options, raw };
      }),
    );
    const files: Promise<void>[] = [];
    for (const { m, options, raw } of built) {
      const sender =
        m.folder === 'Sent' ? business.mailbox : String((options.from as { address: string }).address);
      await mbox[m.folder].write(mboxEntry(sender, m.atMs, raw));
      counts[m.folder]++;
      const unread = m.folder === 'INBOX' && m.atMs > pulledMs - 3 * 86_400_000;
      const name = `${Math.floor(m.atMs / 1000)}.M${counts[m.folder]}P1Q1.rentalhub,S=${raw.length}`;
      const file = unread
        ? join(maildirs[m.folder], 'new', name)
        : join(maildirs[m.folder], 'cur', `${name}:2,S`);
      files.push(writeFile(file, raw));
    }
    await Promise.all(files);
  }
  await mbox.INBOX.close();
  await mbox.Sent.close();
  return counts;
}

/** Writes every business's mailbox under DIR/mail/<key>/; returns counts per business and folder. */
export async function writeMail(
  world: World,
  outDir: string,
  onBusiness?: (key: string) => void,
): Promise<Record<string, Record<Folder, number>>> {
  const counts: Record<string, Record<Folder, number>> = {};
  for (const business of world.businesses) {
    onBusiness?.(business.key);
    counts[business.key] = await writeBusinessMail(world, business, outDir);
  }
  return counts;
}
