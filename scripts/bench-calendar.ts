/**
 * npm run bench:calendar [-- --events 100000]
 * Events per second through the calendar connector: (1) a 100k-event .ics file with recurring series, exceptions
 * and Windows zone names, parsed, expanded and mapped to evidence; (2) 100k events read through googleapis from the
 * local Google server (full sync, pages of 2500, masters and instances listings). Prints a table; --json for JSON.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCalendarConnector } from '@salvage/connector-calendar';
import { silentLogger } from '@salvage/connector-kit';
import { type BusinessConfig, configSchema } from '@salvage/core';
import { type CalendarEvent, startGoogleServer } from '@salvage/simulator';

const args = process.argv.slice(2);
const total = Number(args[args.indexOf('--events') + 1] ?? 0) || 100_000;
const asJson = args.includes('--json');

const business: BusinessConfig = configSchema.parse({
  incident: { backupTakenAt: '2026-01-01T00:00:00Z', incidentAt: '2026-04-01T00:00:00Z' },
  target: { urlEnv: 'X' },
  businesses: [
    { id: '5b0a3c7e-8f1d-4c2a-9e6b-2d4f6a8c0e11', name: 'Bench', timezone: 'Europe/Lisbon', currency: 'eur' },
  ],
}).businesses[0]!;
const window = { since: '2020-01-01T00:00:00.000Z', until: '2031-01-01T00:00:00.000Z' };
const ctx = (env: Record<string, string> = {}) => ({
  business,
  window,
  now: () => new Date('2026-04-01T00:00:00Z'),
  logger: silentLogger,
  env,
});
const ref = (i: number) => `BK-${i.toString(36).toUpperCase().padStart(6, '0').slice(-6)}`;
const stamp = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

/** A .ics with `total` occurrences: 90% single events, the rest weekly series of 10 with one moved instance each. */
function buildIcs(): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//salvage//bench//EN'];
  const base = Date.parse('2021-01-04T09:00:00Z');
  const series = Math.floor((total * 0.1) / 10);
  const singles = total - series * 10;
  for (let i = 0; i < singles; i++) {
    const start = base + i * 3_600_000;
    const zone =
      i % 3 === 0
        ? 'DTSTART;TZID=W. Europe Standard Time:'
        : i % 3 === 1
          ? 'DTSTART;TZID=Europe/Lisbon:'
          : 'DTSTART:';
    const t = stamp(start);
    lines.push(
      'BEGIN:VEVENT',
      `UID:${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000@rentalhub.example`,
      'DTSTAMP:20260401T000000Z',
      `${zone}${zone.endsWith('DTSTART:') ? t : t.slice(0, -1)}`,
      'DURATION:PT2H',
      `LAST-MODIFIED:${stamp(start - 86_400_000)}`,
      `SEQUENCE:${i % 3}`,
      `SUMMARY:${ref(i)} - Guest ${i}`,
      `DESCRIPTION:Booking ${ref(i)}\\nEmail: guest${i}@example.com`,
      `ATTENDEE;CN=Guest ${i}:mailto:guest${i}@example.com`,
      i % 50 === 0 ? 'STATUS:CANCELLED' : 'STATUS:CONFIRMED',
      'END:VEVENT',
    );
  }
  for (let s = 0; s < series; s++) {
    const start = base + s * 86_400_000;
    const uid = `series-${s}@bench.example`;
    lines.push(
      'BEGIN:VEVENT',
      `UID:${uid}`,
      'DTSTAMP:20260401T000000Z',
      `DTSTART;TZID=Europe/Lisbon:${stamp(start).slice(0, -1)}`,
      `DTEND;TZID=Europe/Lisbon:${stamp(start + 3_600_000).slice(0, -1)}`,
      'RRULE:FREQ=WEEKLY;COUNT=11',
      `EXDATE;TZID=Europe/Lisbon:${stamp(start + 7 * 86_400_000).slice(0, -1)}`,
      `SUMMARY:Lesson BK-S${String(s).padStart(5, '0')}`,
      'END:VEVENT',
      'BEGIN:VEVENT',
      `UID:${uid}`,
      'DTSTAMP:20260401T000000Z',
      `RECURRENCE-ID;TZID=Europe/Lisbon:${stamp(start + 14 * 86_400_000).slice(0, -1)}`,
      `DTSTART;TZID=Europe/Lisbon:${stamp(start + 14 * 86_400_000 + 3 * 3_600_000).slice(0, -1)}`,
      `DTEND;TZID=Europe/Lisbon:${stamp(start + 14 * 86_400_000 + 4 * 3_600_000).slice(0, -1)}`,
      'SEQUENCE:1',
      `SUMMARY:Lesson BK-S${String(s).padStart(5, '0')} (moved)`,
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return `${lines.join('\r\n')}\r\n`;
}

function googleEvents(): CalendarEvent[] {
  const out: CalendarEvent[] = [];
  const base = Date.parse('2021-01-04T09:00:00Z');
  const series = Math.floor((total * 0.1) / 10);
  const singles = total - series * 10;
  for (let i = 0; i < singles; i++) {
    const start = base + i * 3_600_000;
    out.push({
      kind: 'calendar#event',
      id: `ev${i.toString(32)}`,
      etag: `"${i}"`,
      status: i % 50 === 0 ? 'cancelled' : 'confirmed',
      updated: new Date(start - 86_400_000).toISOString(),
      summary: `${ref(i)} - Guest ${i}`,
      description: `Booking ${ref(i)}`,
      start: { dateTime: new Date(start).toISOString(), timeZone: 'Europe/Lisbon' },
      end: { dateTime: new Date(start + 7_200_000).toISOString(), timeZone: 'Europe/Lisbon' },
      iCalUID: `${i}@rentalhub.example`,
      attendees: [{ email: `guest${i}@example.com`, displayName: `Guest ${i}` }],
      extendedProperties: { private: { bookingId: `b-${i}`, bookingRef: ref(i) } },
    });
  }
  for (let s = 0; s < series; s++) {
    const start = base + s * 86_400_000;
    out.push({
      kind: 'calendar#event',
      id: `series${s}`,
      etag: `"s${s}"`,
      status: 'confirmed',
      updated: new Date(start - 86_400_000).toISOString(),
      summary: `Lesson BK-S${String(s).padStart(5, '0')}`,
      start: { dateTime: new Date(start).toISOString(), timeZone: 'Europe/Lisbon' },
      end: { dateTime: new Date(start + 3_600_000).toISOString(), timeZone: 'Europe/Lisbon' },
      recurrence: ['RRULE:FREQ=WEEKLY;COUNT=10'],
    });
  }
  return out;
}

async function drain(gen: AsyncIterable<{ kind: string }>) {
  const counts: Record<string, number> = {};
  for await (const m of gen) counts[m.kind] = (counts[m.kind] ?? 0) + 1;
  return counts;
}

const results: {
  case: string;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  /** Process CPU time (user + system): steadier than wall time on a shared machine. */
  cpuSeconds: number;
  eventsPerCpuSecond: number;
  evidence: number;
  peakRssMiB: number;
}[] = [];
let peak = 0;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 50);

{
  const dir = mkdtempSync(join(tmpdir(), 'salvage-bench-cal-'));
  const file = join(dir, 'bench.ics');
  writeFileSync(file, buildIcs());
  const connector = createCalendarConnector();
  const config = { sources: { google: [], ics: [{ path: file, resource: 'Kayak 1' }], rules: [] } };
  peak = process.memoryUsage().rss;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const counts = await drain(connector.read(config, {}, ctx()));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const evidence = counts.evidence ?? 0;
  // Each occurrence gives one booking evidence (and one customer evidence when it names a customer).
  const events = total;
  results.push({
    case: `.ics file, ${total} occurrences (10% in weekly series)`,
    events,
    seconds,
    eventsPerSecond: events / seconds,
    cpuSeconds,
    eventsPerCpuSecond: events / cpuSeconds,
    evidence,
    peakRssMiB: peak / 2 ** 20,
  });
  if (process.env.KEEP_ICS) console.log(file);
  else rmSync(dir, { recursive: true, force: true });
}

{
  const items = googleEvents();
  const server = await startGoogleServer({
    accounts: [{ token: 'bench', address: 'bench@example.com', calendars: '*' }],
    calendars: [{ calendarId: 'bench@group.calendar.google.com', timeZone: 'Europe/Lisbon', items }],
    now: () => Date.parse('2026-04-01T00:00:00Z'),
  });
  const connector = createCalendarConnector();
  const config = {
    sources: {
      google: [
        {
          calendarId: 'bench@group.calendar.google.com',
          resource: 'Kayak 1',
          tokenEnv: 'TOKEN',
          rootUrl: server.rootUrl,
        },
      ],
      ics: [],
      rules: [],
    },
  };
  peak = process.memoryUsage().rss;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const counts = await drain(connector.read(config, {}, ctx({ TOKEN: 'bench' })));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  results.push({
    case: `Google Calendar via googleapis, ${total} events (10% as instances of series)`,
    events: total,
    seconds,
    eventsPerSecond: total / seconds,
    cpuSeconds,
    eventsPerCpuSecond: total / cpuSeconds,
    evidence: counts.evidence ?? 0,
    peakRssMiB: peak / 2 ** 20,
  });
  await server.close();
}
clearInterval(sampler);

if (asJson) console.log(JSON.stringify({ node: process.version, results }, null, 2));
else {
  console.log(`calendar connector benchmark (node ${process.version})`);
  for (const r of results)
    console.log(
      `${r.case}: ${r.seconds.toFixed(2)} s wall, ${Math.round(r.eventsPerSecond)} events/s; ${r.cpuSeconds.toFixed(2)} s CPU, ${Math.round(r.eventsPerCpuSecond)} events/CPU-s; ${r.evidence} evidence; peak RSS ${Math.round(r.peakRssMiB)} MiB`,
    );
  console.log('(the Google case runs the local server in the same process: its CPU time is included)');
}
