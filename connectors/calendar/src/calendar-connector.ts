import { isAbsolute, resolve } from 'node:path';
import type { CheckResult, Connector, ConnectorContext, ConnectorMessage } from '@salvage/connector-kit';
import { compileRules, sha256 } from '@salvage/core';
import type { calendar_v3 } from 'googleapis';
import { type CalendarConnectorConfig, parseCalendarConfig } from './calendar-config.ts';
import { expandIcsEvents } from './expand-ics.ts';
import {
  createGoogleTransport,
  GoogleCalendarError,
  type GoogleCalendarTransport,
  type GoogleTransportOptions,
} from './google-transport.ts';
import { fetchIcsFeed, IcsSourceError, readIcsFile, redactUrl } from './ics-transport.ts';
import { mapGoogleEvent } from './map-google-event.ts';
import { mapIcsOccurrence } from './map-ics-occurrence.ts';
import { parseIcs } from './parse-ics.ts';
import type { TextReading } from './read-booking-text.ts';

/** Checkpoint of one Google calendar: the sync token of each listing (masters and expanded instances). */
export interface GoogleCalendarState {
  syncTokens: { masters?: string; instances?: string };
}

/** Checkpoint of one .ics file or feed: the hash of what was read, and the feed's validators. */
export interface IcsState {
  hash: string;
  etag?: string;
  lastModified?: string;
}

/** What the connector is built from; tests pass their own. */
export interface CalendarConnectorDeps {
  /** Makes the Google transport for a token and root URL; default googleapis. */
  createGoogleTransport?: (options: GoogleTransportOptions) => GoogleCalendarTransport;
  fetch?: typeof fetch;
  readFile?: (path: string) => Promise<Uint8Array>;
}

/** Listings of a Google calendar: single events and recurring masters; and instances of recurring series. */
const VIEWS = [
  { name: 'masters', singleEvents: false },
  { name: 'instances', singleEvents: true },
] as const;

/** The stream of one configured Google calendar. */
export const googleStream = (calendarId: string) => `google:${calendarId}`;
/** The stream of one configured .ics file or feed (a feed by host and path only: its query may hold a secret). */
export const icsStream = (source: { path?: string | undefined; url?: string | undefined }) =>
  `ics:${source.path ?? redactUrl(source.url ?? '')}`;

/**
 * The calendar connector: Google Calendar through googleapis (read-only scope; a first run lists everything with
 * showDeleted and keeps entries changed or running in the window, later runs read only changes through the sync
 * token, a 410 restarts a full sync) and iCalendar files and feeds through ical.js (conditional GET, skipped when
 * unchanged). One stream per calendar, file or feed; one failing does not stop the others.
 */
export function createCalendarConnector(
  deps: CalendarConnectorDeps = {},
): Connector<CalendarConnectorConfig> {
  const makeGoogle = deps.createGoogleTransport ?? createGoogleTransport;
  const readFile = deps.readFile ?? readIcsFile;

  const transportFor = (
    source: CalendarConnectorConfig['sources']['google'][number],
    ctx: ConnectorContext,
  ) => {
    const token = ctx.env[source.tokenEnv];
    if (!token) return null;
    return makeGoogle({ accessToken: token, ...(source.rootUrl ? { rootUrl: source.rootUrl } : {}) });
  };
  const pathOf = (config: CalendarConnectorConfig, path: string) =>
    isAbsolute(path) ? path : resolve(config.baseDir ?? '.', path);

  return {
    name: 'calendar',
    version: '1.0.0',
    streams: [
      {
        name: 'google',
        description: 'Google Calendar events (one stream per calendar: google:<calendarId>)',
      },
      {
        name: 'ics',
        description: 'iCalendar files and feeds (one stream per source: ics:<path or feed URL>)',
      },
    ],
    parseConfig: parseCalendarConfig,

    async check(config, ctx): Promise<CheckResult> {
      for (const source of config.sources.google) {
        const transport = transportFor(source, ctx);
        if (!transport)
          return {
            ok: false,
            kind: 'config',
            message: `calendar.google ${source.calendarId}: environment variable ${source.tokenEnv} is not set`,
          };
        try {
          await transport.probe(source.calendarId);
        } catch (error) {
          const e = error instanceof GoogleCalendarError ? error : null;
          const kind =
            e?.code === 'google_auth'
              ? 'auth'
              : e?.code === 'google_permission'
                ? 'permission'
                : e?.code === 'google_not_found'
                  ? 'config'
                  : e?.code === 'google_rate_limited'
                    ? 'rate_limit'
                    : e?.code === 'google_network'
                      ? 'network'
                      : 'unknown';
          return {
            ok: false,
            kind,
            message: `calendar.google ${source.calendarId}: ${(error as Error).message}`,
          };
        }
      }
      for (const source of config.sources.ics) {
        try {
          if (source.path) await readFile(pathOf(config, source.path));
          else if (source.url)
            await fetchIcsFeed(
              source.url,
              {},
              { timeoutMs: config.feedTimeoutMs ?? 30_000, ...(deps.fetch ? { fetch: deps.fetch } : {}) },
            );
        } catch (error) {
          const code = (error as IcsSourceError).code;
          return {
            ok: false,
            kind: code === 'ics_file_unreadable' ? 'config' : 'network',
            message: (error as Error).message,
          };
        }
      }
      return {
        ok: true,
        detail: `${config.sources.google.length} Google calendar(s), ${config.sources.ics.length} iCalendar source(s)`,
      };
    },

    async *read(config, state, ctx): AsyncIterable<ConnectorMessage> {
      const compiled = compileRules(config.sources.rules);
      const reading: TextReading = {
        rules: compiled.rules,
        referencePattern: new RegExp(ctx.business.referencePattern, 'u'),
        values: {
          timezone: ctx.business.timezone,
          currency: ctx.business.currency,
          defaultRegion: ctx.business.defaultRegion,
        },
      };
      const firstStream = config.sources.google[0]
        ? googleStream(config.sources.google[0].calendarId)
        : config.sources.ics[0]
          ? icsStream(config.sources.ics[0])
          : null;
      if (firstStream)
        for (const issue of compiled.issues)
          yield {
            kind: 'warning',
            stream: firstStream,
            code: 'calendar_bad_rule',
            message: `calendar.rules ${issue.rule} ${issue.path}: ${issue.message}; rule skipped`,
          };
      for (const source of config.sources.google) {
        const stream = googleStream(source.calendarId);
        try {
          yield* readGoogleCalendar(
            source,
            stream,
            state[stream] as GoogleCalendarState | undefined,
            ctx,
            reading,
          );
          yield { kind: 'stream_status', stream, status: 'succeeded' };
        } catch (error) {
          yield { kind: 'stream_status', stream, status: 'failed', message: (error as Error).message };
        }
      }
      for (const source of config.sources.ics) {
        const stream = icsStream(source);
        try {
          const unchanged = yield* readIcsSource(
            config,
            source,
            stream,
            state[stream] as IcsState | undefined,
            ctx,
            reading,
          );
          yield {
            kind: 'stream_status',
            stream,
            status: 'succeeded',
            ...(unchanged ? { message: 'unchanged since the last run' } : {}),
          };
        } catch (error) {
          const code = error instanceof IcsSourceError ? error.code : 'ics_read_failed';
          yield { kind: 'warning', stream, code, message: (error as Error).message };
          yield { kind: 'stream_status', stream, status: 'failed', message: (error as Error).message };
        }
      }
    },
  };

  async function* readGoogleCalendar(
    source: CalendarConnectorConfig['sources']['google'][number],
    stream: string,
    prior: GoogleCalendarState | undefined,
    ctx: ConnectorContext,
    reading: TextReading,
  ): AsyncGenerator<ConnectorMessage> {
    const transport = transportFor(source, ctx);
    if (!transport)
      throw new Error(
        `environment variable ${source.tokenEnv} is not set; it must hold a calendar.readonly access token`,
      );
    const sinceMs = Date.parse(ctx.window.since);
    const untilMs = Date.parse(ctx.window.until);
    const tokens: GoogleCalendarState['syncTokens'] = { ...(prior?.syncTokens ?? {}) };
    const seen = new Set<string>();
    let done = 0;
    for (const view of VIEWS) {
      let syncToken = tokens[view.name];
      let restarted = false;
      for (;;) {
        const full = !syncToken;
        try {
          for await (const page of transport.listEvents(source.calendarId, {
            singleEvents: view.singleEvents,
            ...(syncToken ? { syncToken } : {}),
            ...(ctx.signal ? { signal: ctx.signal } : {}),
          })) {
            for (const event of page.items) {
              // Instances (exceptions included) come from the expanded listing only, masters and single events from
              // the other: the two never overlap, so resuming between them repeats nothing.
              if (view.singleEvents !== Boolean(event.recurringEventId)) continue;
              if (full && !keepOnFullSync(event, sinceMs, untilMs)) continue;
              const key = `${event.id}|${event.etag ?? event.updated}`;
              if (seen.has(key)) continue;
              seen.add(key);
              yield* googleMessages(event, source, stream, ctx, reading);
              done++;
            }
            yield { kind: 'progress', stream, done, unit: 'events' };
            if (page.nextSyncToken) tokens[view.name] = page.nextSyncToken;
          }
          break;
        } catch (error) {
          if (
            error instanceof GoogleCalendarError &&
            error.code === 'google_sync_token_expired' &&
            !restarted
          ) {
            yield {
              kind: 'warning',
              stream,
              code: 'google_full_sync',
              message: `calendar ${source.calendarId} (${view.name}): ${error.message}`,
            };
            syncToken = undefined;
            delete tokens[view.name];
            restarted = true;
            continue;
          }
          throw error;
        }
      }
      yield {
        kind: 'checkpoint',
        stream,
        state: { syncTokens: { ...tokens } } satisfies GoogleCalendarState,
      };
    }
  }

  async function* googleMessages(
    event: calendar_v3.Schema$Event,
    source: CalendarConnectorConfig['sources']['google'][number],
    stream: string,
    ctx: ConnectorContext,
    reading: TextReading,
  ): AsyncGenerator<ConnectorMessage> {
    const body = JSON.stringify(event);
    const rawRef = sha256(body);
    const mapped = mapGoogleEvent(event, {
      businessId: ctx.business.id,
      businessZone: ctx.business.timezone,
      resourceName: source.resource,
      calendarId: source.calendarId,
      rawRef,
      reading,
      fallbackObservedAt: ctx.now().toISOString(),
    });
    for (const issue of mapped.issues)
      yield {
        kind: 'warning',
        stream,
        code: 'google_event_issue',
        message: `calendar ${source.calendarId} event ${event.id}: ${issue}`,
        objectId: event.id ?? '',
        rawRef,
      };
    if (mapped.evidence.length === 0) return;
    yield {
      kind: 'raw',
      stream,
      raw: { ref: rawRef, mediaType: 'application/json', body, source: mapped.evidence[0]!.source },
    };
    for (const evidence of mapped.evidence) yield { kind: 'evidence', stream, evidence };
  }

  async function* readIcsSource(
    config: CalendarConnectorConfig,
    source: CalendarConnectorConfig['sources']['ics'][number],
    stream: string,
    prior: IcsState | undefined,
    ctx: ConnectorContext,
    reading: TextReading,
  ): AsyncGenerator<ConnectorMessage, boolean> {
    let bytes: Uint8Array;
    const validators: Omit<IcsState, 'hash'> = {};
    if (source.path) bytes = await readFile(pathOf(config, source.path));
    else {
      const got = await fetchIcsFeed(
        source.url!,
        {
          ...(prior?.etag ? { etag: prior.etag } : {}),
          ...(prior?.lastModified ? { lastModified: prior.lastModified } : {}),
        },
        {
          timeoutMs: config.feedTimeoutMs ?? 30_000,
          ...(deps.fetch ? { fetch: deps.fetch } : {}),
          ...(ctx.signal ? { signal: ctx.signal } : {}),
        },
      );
      if (got.kind === 'unchanged') return true;
      bytes = got.bytes;
      if (got.etag) validators.etag = got.etag;
      if (got.lastModified) validators.lastModified = got.lastModified;
    }
    const hash = sha256(bytes);
    if (prior?.hash === hash) return true;
    const account = source.path ?? redactUrl(source.url!);
    const parsed = parseIcs(new TextDecoder('utf-8').decode(bytes));
    const expanded = expandIcsEvents(parsed.events, {
      vtimezones: parsed.vtimezones,
      businessZone: ctx.business.timezone,
      sinceMs: Date.parse(ctx.window.since),
      untilMs: Date.parse(ctx.window.until),
    });
    const raws = new Map<string, string>();
    const rawByLine = new Map(parsed.events.map((e) => [e.line, e.raw]));
    for (const issue of [...parsed.issues, ...expanded.issues]) {
      const raw = issue.eventLine === undefined ? undefined : rawByLine.get(issue.eventLine);
      const rawRef = raw === undefined ? undefined : sha256(raw);
      if (raw !== undefined && rawRef !== undefined && !raws.has(rawRef)) {
        raws.set(rawRef, raw);
        yield {
          kind: 'raw',
          stream,
          raw: {
            ref: rawRef,
            mediaType: 'text/calendar',
            body: raw,
            source: {
              kind: 'ics',
              account,
              objectId: issue.uid || `line-${issue.eventLine}`,
              version: 'raw',
            },
          },
        };
      }
      yield {
        kind: 'warning',
        stream,
        code: issue.code,
        message: `${account}: ${issue.message}`,
        ...(issue.uid ? { objectId: issue.uid } : {}),
        ...(rawRef ? { rawRef } : {}),
      };
    }
    let done = 0;
    const fallbackObservedAt = ctx.now().toISOString();
    for (const occurrence of expanded.occurrences) {
      const raw = occurrence.event.raw;
      const rawRef = sha256(raw);
      const mapped = mapIcsOccurrence(occurrence, {
        businessId: ctx.business.id,
        resourceName: source.resource,
        account,
        rawRef,
        reading,
        fallbackObservedAt,
      });
      for (const issue of mapped.issues)
        yield {
          kind: 'warning',
          stream,
          code: 'ics_rule_value',
          message: `${account} line ${occurrence.event.line}: ${issue}`,
          objectId: occurrence.objectId,
        };
      if (mapped.evidence.length === 0) continue;
      if (!raws.has(rawRef)) {
        raws.set(rawRef, raw);
        yield {
          kind: 'raw',
          stream,
          raw: { ref: rawRef, mediaType: 'text/calendar', body: raw, source: mapped.evidence[0]!.source },
        };
      }
      for (const evidence of mapped.evidence) yield { kind: 'evidence', stream, evidence };
      if (++done % 5000 === 0) yield { kind: 'progress', stream, done, unit: 'events' };
    }
    yield { kind: 'progress', stream, done, total: done, unit: 'events' };
    yield { kind: 'checkpoint', stream, state: { hash, ...validators } satisfies IcsState };
    return false;
  }
}

/**
 * A first run cannot ask Google for "changed since the backup" (updatedMin does not reach back that far), so it
 * lists everything and keeps what changed in the window or runs in it.
 */
export function keepOnFullSync(event: calendar_v3.Schema$Event, sinceMs: number, untilMs: number): boolean {
  const updated = event.updated ? Date.parse(event.updated) : Number.NaN;
  if (!Number.isNaN(updated) && updated >= sinceMs) return true;
  const start = Date.parse(event.start?.dateTime ?? event.start?.date ?? '');
  const end = Date.parse(event.end?.dateTime ?? event.end?.date ?? '');
  if (event.recurrence) return true;
  return !Number.isNaN(start) && start < untilMs && (Number.isNaN(end) ? start : end) >= sinceMs;
}
