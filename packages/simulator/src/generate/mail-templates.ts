import { formatMoney } from '@salvage/core';
import { zonedDateTime } from './calendar-entries.ts';
import { wallAt as wallTimeAt } from './zone-clock.ts';

/**
 * The platform's email templates, three versions over the year (template drift): each version words the subject and
 * labels differently and writes times and money its own way. `TEMPLATE_RULES` are the extraction rules that read them
 * (written into salvage.config.yaml).
 */

export type MailKind = 'confirmation' | 'reschedule' | 'cancellation' | 'receipt';

/** Everything a template needs for one message; times in epoch ms, money in minor units. */
export interface TemplateInput {
  version: 1 | 2 | 3;
  kind: MailKind;
  businessName: string;
  zone: string;
  reference: string;
  resourceName: string;
  startsMs: number;
  endsMs: number;
  allDay: boolean;
  amountMinor: number;
  currency: string;
  /** Refund on a cancellation; amount paid on a receipt. */
  refundMinor: number;
  name: string;
  email: string;
  phone: string;
  /** The customer's note on the booking, echoed by confirmations and reschedules; null when there is none. */
  notes?: string | null;
}

/** A rendered message: subject, plain text and HTML alternatives. */
export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const SYMBOL: Record<string, string> = { usd: '$', eur: '€', gbp: '£' };

function money(version: 1 | 2 | 3, minor: number, currency: string): string {
  const major = Math.floor(minor / 100);
  const cents = String(minor % 100).padStart(2, '0');
  if (version === 1) return formatMoney(minor, currency);
  if (version === 2) return `${SYMBOL[currency] ?? ''}${major.toLocaleString('en-US')}.${cents}`;
  return `${currency.toUpperCase()} ${major}${currency === 'eur' ? ',' : '.'}${cents}`;
}

function when(version: 1 | 2 | 3, ms: number, zone: string, allDay: boolean): string {
  const w = wallTimeAt(ms, zone);
  const p = (n: number) => String(n).padStart(2, '0');
  const date = `${w.year}-${p(w.month)}-${p(w.day)}`;
  if (allDay) return version === 3 ? `${date} (${zone})` : date;
  if (version === 2) return zonedDateTime(ms, zone);
  const local = `${date} ${p(w.hour)}:${p(w.minute)}`;
  return version === 3 ? `${local} (${zone})` : local;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const SUBJECTS: Record<1 | 2 | 3, Record<MailKind, (ref: string, business: string) => string>> = {
  1: {
    confirmation: (r) => `Booking confirmed: ${r}`,
    reschedule: (r) => `Booking changed: ${r}`,
    cancellation: (r) => `Booking cancelled: ${r}`,
    receipt: (r) => `Payment receipt: ${r}`,
  },
  2: {
    confirmation: (r) => `Your booking ${r} is confirmed`,
    reschedule: (r) => `Your booking ${r} has been moved`,
    cancellation: (r) => `Your booking ${r} has been cancelled`,
    receipt: (r) => `Receipt for booking ${r}`,
  },
  3: {
    confirmation: (r, b) => `Reservation ${r} confirmed – ${b}`,
    reschedule: (r, b) => `Reservation ${r} updated – ${b}`,
    cancellation: (r, b) => `Reservation ${r} cancelled – ${b}`,
    receipt: (r) => `Payment received for reservation ${r}`,
  },
};

const LABELS: Record<
  1 | 2 | 3,
  {
    ref: string;
    item: string;
    start: string;
    end: string;
    total: string;
    refund: string;
    paid: string;
    name: string;
    notes: string;
  }
> = {
  1: {
    ref: 'Reference',
    item: 'Item',
    start: 'Start',
    end: 'End',
    total: 'Total',
    refund: 'Refund',
    paid: 'Paid',
    name: 'Name',
    notes: 'Notes',
  },
  2: {
    ref: 'Booking ref',
    item: 'Rental',
    start: 'From',
    end: 'Until',
    total: 'Total price',
    refund: 'Refund',
    paid: 'Amount paid',
    name: 'Guest',
    notes: 'Your note',
  },
  3: {
    ref: 'Reservation number',
    item: 'What',
    start: 'Check-in',
    end: 'Check-out',
    total: 'Total',
    refund: 'Refunded',
    paid: 'Paid',
    name: 'Booked by',
    notes: 'Special requests',
  },
};

const INTROS: Record<MailKind, string> = {
  confirmation: 'Your booking is confirmed.',
  reschedule: 'Your booking has been moved to a new time.',
  cancellation: 'Your booking has been cancelled.',
  receipt: 'Thank you, we received your payment.',
};

/** Renders one message of the platform in the given template version. */
export function renderMail(t: TemplateInput): RenderedMail {
  const L = LABELS[t.version];
  const first = t.name.split(/[ ,]+/)[0] ?? t.name;
  const rows: [string, string][] = [
    [L.ref, t.reference],
    [L.item, t.resourceName],
  ];
  rows.push([L.start, when(t.version, t.startsMs, t.zone, t.allDay)]);
  rows.push([L.end, when(t.version, t.endsMs, t.zone, t.allDay)]);
  if (t.kind === 'receipt') rows.push([L.paid, money(t.version, t.refundMinor, t.currency)]);
  rows.push([L.total, money(t.version, t.amountMinor, t.currency)]);
  if (t.kind === 'cancellation')
    rows.push([L.refund, t.refundMinor > 0 ? money(t.version, t.refundMinor, t.currency) : 'none']);
  if (t.version === 3) rows.push([L.name, `${t.name} <${t.email}>, ${t.phone}`]);
  else rows.push([L.name, t.name], ['Email', t.email], ['Phone', t.phone]);
  if (t.notes && (t.kind === 'confirmation' || t.kind === 'reschedule')) rows.push([L.notes, t.notes]);
  const width = t.version === 3 ? Math.max(...rows.map(([k]) => k.length)) + 1 : 0;
  const textRows = rows.map(([k, v]) =>
    t.version === 3 ? `${`${k}:`.padEnd(width + 1)}${v}` : `${k}: ${v}`,
  );
  const greeting = t.version === 1 ? `Hello ${t.name},` : `Hi ${first},`;
  const sign =
    t.version === 1
      ? `See you soon,\n${t.businessName}`
      : `— The ${t.businessName} team\nPowered by RentalHub`;
  const text = `${greeting}\n\n${INTROS[t.kind]}\n\n${textRows.join('\n')}\n\n${sign}\n`;
  const htmlRows = rows
    .map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('\n');
  const html =
    t.version === 1
      ? `<html><body><p>${escapeHtml(greeting)}</p><p>${INTROS[t.kind]}</p><table>\n${htmlRows}\n</table><p>See you soon,<br>${escapeHtml(t.businessName)}</p></body></html>`
      : `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(t.reference)}</title></head><body style="font-family:sans-serif"><div class="card v${t.version}"><h1>${escapeHtml(INTROS[t.kind])}</h1><p>${escapeHtml(greeting)}</p><table class="details" cellpadding="4">\n${htmlRows}\n</table><p class="footer">The ${escapeHtml(t.businessName)} team · Powered by RentalHub</p></div></body></html>`;
  return { subject: SUBJECTS[t.version][t.kind](t.reference, t.businessName), text, html };
}

type RuleFields = Partial<
  Record<
    | 'reference'
    | 'resourceName'
    | 'startsAt'
    | 'endsAt'
    | 'totalAmount'
    | 'customerName'
    | 'customerEmail'
    | 'customerPhone'
    | 'notes'
    | 'status',
    string
  >
>;

/** An extraction rule for salvage.config.yaml (the config schema's shape). */
export interface TemplateRule {
  name: string;
  match: { subject: string };
  kind: MailKind;
  fields: RuleFields;
  confidence: number;
}

const V = '(?<value>[^\\r\\n]+)';

function fieldsFor(version: 1 | 2 | 3, kind: MailKind): RuleFields {
  const L = LABELS[version];
  const line = (label: string, value = V) => `${label}:[ \\t]*${value}`;
  const fields: RuleFields = {
    reference: line(L.ref, '(?<value>BK-[A-Z0-9]{6})'),
    resourceName: line(L.item),
    startsAt: line(L.start, version === 3 ? '(?<value>\\d{4}-\\d{2}-\\d{2}(?: \\d{2}:\\d{2})?)' : V),
    endsAt: line(L.end, version === 3 ? '(?<value>\\d{4}-\\d{2}-\\d{2}(?: \\d{2}:\\d{2})?)' : V),
    totalAmount: line(L.total),
  };
  if (version === 3) {
    fields.customerName = line(L.name, '(?<value>[^<\\r\\n]+?) <');
    fields.customerEmail = `${L.name}:[^<\\r\\n]*<(?<value>[^>\\s]+)>`;
    fields.customerPhone = `${L.name}:[^>\\r\\n]*>, (?<value>[^\\r\\n]+)`;
  } else {
    fields.customerName = line(L.name);
    fields.customerEmail = line('Email');
    fields.customerPhone = line('Phone');
  }
  if (kind === 'confirmation' || kind === 'reschedule') fields.notes = line(L.notes);
  if (kind === 'receipt') delete fields.totalAmount;
  return fields;
}

const SUBJECT_MATCH: Record<1 | 2 | 3, Record<MailKind, string>> = {
  1: {
    confirmation: '^Booking confirmed: BK-',
    reschedule: '^Booking changed: BK-',
    cancellation: '^Booking cancelled: BK-',
    receipt: '^Payment receipt: BK-',
  },
  2: {
    confirmation: '^Your booking BK-[A-Z0-9]{6} is confirmed',
    reschedule: '^Your booking BK-[A-Z0-9]{6} has been moved',
    cancellation: '^Your booking BK-[A-Z0-9]{6} has been cancelled',
    receipt: '^Receipt for booking BK-',
  },
  3: {
    confirmation: '^Reservation BK-[A-Z0-9]{6} confirmed',
    reschedule: '^Reservation BK-[A-Z0-9]{6} updated',
    cancellation: '^Reservation BK-[A-Z0-9]{6} cancelled',
    receipt: '^Payment received for reservation BK-',
  },
};

/** The extraction rules for the versions in use (1..versions), one per version and kind. */
export function templateRules(versions: number): TemplateRule[] {
  const rules: TemplateRule[] = [];
  for (const version of [1, 2, 3] as const) {
    if (version > versions) break;
    for (const kind of ['confirmation', 'reschedule', 'cancellation', 'receipt'] as const) {
      rules.push({
        name: `rentalhub-v${version}-${kind}`,
        match: { subject: SUBJECT_MATCH[version][kind] },
        kind,
        fields: fieldsFor(version, kind),
        confidence: 0.9,
      });
    }
  }
  return rules;
}
