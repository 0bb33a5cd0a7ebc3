import { createHash } from 'node:crypto';
import { type CalendarEvent, eventTimeMs, expandInstances } from './expand-instances.ts';
import {
  fullSyncRequired,
  type GoogleErrorReply,
  invalidParameter,
  notFound,
  updatedMinTooLongAgo,
} from './google-errors.ts';

/** One calendar as the simulator writes it (DIR/calendar/<key>/google/<calendarId>.json). */
export interface CalendarData {
  calendarId: string;
  summary?: string;
  timeZone: string;
  items: CalendarEvent[];
}

/** The query parameters of events.list the server understands (strings as they come off the URL). */
export interface EventsListParams {
  maxResults?: string;
  pageToken?: string;
  syncToken?: string;
  updatedMin?: string;
  timeMin?: string;
  timeMax?: string;
  showDeleted?: string;
  singleEvents?: string;
  orderBy?: string;
  iCalUID?: string;
  q?: string;
}

/** A successful events.list page. */
export interface EventsListReply {
  status: 200;
  body: Record<string, unknown>;
}

interface SyncTokenState {
  c: string;
  w: number;
  g: number;
}

interface PageTokenState {
  o: number;
  w: number;
  k: string;
}

const encode = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
function decode<T>(token: string): T | null {
  try {
    return JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as T;
  } catch {
    return null;
  }
}

const DAY = 86_400_000;

/**
 * The calendars the local Google server serves, with Calendar v3 events.list semantics: paging, sync tokens (which
 * can be expired on demand), updatedMin with Google's age limit, time window, showDeleted and singleEvents.
 */
export class CalendarStore {
  private readonly calendars = new Map<string, CalendarData & { watermark: number }>();
  private generation = 0;
  private cache: { key: string; items: CalendarEvent[] } | null = null;

  constructor(
    private readonly now: () => number,
    /** How far back updatedMin may reach before Google answers 410 updatedMinTooLongAgo (default 28 days). */
    private readonly updatedMinMaxAgeMs = 28 * DAY,
  ) {}

  /** Adds or replaces a calendar. */
  put(data: CalendarData): void {
    const watermark = Math.max(0, ...data.items.map((e) => Date.parse(e.updated ?? '') || 0));
    this.calendars.set(data.calendarId, { ...data, items: [...data.items], watermark });
    this.cache = null;
  }

  /** Calendar ids, in insertion order. */
  ids(): string[] {
    return [...this.calendars.keys()];
  }

  /** Number of stored event resources across calendars. */
  size(): number {
    let n = 0;
    for (const c of this.calendars.values()) n += c.items.length;
    return n;
  }

  /**
   * Inserts or changes an event as a user editing the calendar would: `updated` moves past every earlier change and
   * the etag changes, so the next incremental sync returns it. Returns the stored event.
   */
  upsertEvent(calendarId: string, event: Partial<CalendarEvent> & { id: string }): CalendarEvent {
    const cal = this.calendars.get(calendarId);
    if (!cal) throw new Error(`no calendar ${calendarId}`);
    const updatedMs = Math.max(this.now(), cal.watermark + 1000);
    cal.watermark = updatedMs;
    const index = cal.items.findIndex((e) => e.id === event.id);
    const prior = index >= 0 ? cal.items[index]! : { kind: 'calendar#event', id: event.id };
    const next: CalendarEvent = {
      ...prior,
      ...event,
      updated: new Date(updatedMs).toISOString(),
      etag: `"${updatedMs}000"`,
    };
    if (index >= 0) cal.items[index] = next;
    else cal.items.push(next);
    this.cache = null;
    return next;
  }

  /** Deletes an event the way Google does: it stays, with status cancelled, for sync and showDeleted. */
  deleteEvent(calendarId: string, eventId: string): void {
    this.upsertEvent(calendarId, { id: eventId, status: 'cancelled' });
  }

  /** Makes every sync token issued so far answer 410 fullSyncRequired. */
  expireSyncTokens(): void {
    this.generation++;
  }

  /** Answers events.list for one calendar. */
  list(calendarId: string, p: EventsListParams): EventsListReply | GoogleErrorReply {
    const cal = this.calendars.get(calendarId);
    if (!cal) return notFound();
    const maxResults = p.maxResults === undefined ? 250 : Number(p.maxResults);
    if (!Number.isInteger(maxResults) || maxResults < 1) return invalidParameter('maxResults');
    const pageSize = Math.min(maxResults, 2500);
    const singleEvents = p.singleEvents === 'true';
    let showDeleted = p.showDeleted === 'true';
    if (p.orderBy && p.orderBy !== 'startTime' && p.orderBy !== 'updated') return invalidParameter('orderBy');
    if (p.orderBy === 'startTime' && !singleEvents)
      return invalidParameter('orderBy', 'The requested ordering is not available for the particular query.');

    let since = Number.NEGATIVE_INFINITY;
    if (p.syncToken !== undefined) {
      // https://developers.google.com/calendar/api/v3/reference/events/list: these cannot go with syncToken.
      for (const name of ['timeMin', 'timeMax', 'updatedMin', 'orderBy', 'q', 'iCalUID'] as const)
        if (p[name] !== undefined)
          return invalidParameter(name, `${name} cannot be used together with syncToken.`);
      const token = decode<SyncTokenState>(p.syncToken);
      if (!token || typeof token.w !== 'number')
        return invalidParameter('syncToken', 'Invalid sync token value.');
      if (token.c !== calendarId || token.g !== this.generation) return fullSyncRequired();
      since = token.w;
      showDeleted = true;
    }
    let updatedMin = Number.NEGATIVE_INFINITY;
    if (p.updatedMin !== undefined) {
      updatedMin = Date.parse(p.updatedMin);
      if (Number.isNaN(updatedMin)) return invalidParameter('updatedMin');
      if (this.now() - updatedMin > this.updatedMinMaxAgeMs) return updatedMinTooLongAgo();
    }
    const timeMin = p.timeMin === undefined ? Number.NEGATIVE_INFINITY : Date.parse(p.timeMin);
    const timeMax = p.timeMax === undefined ? Number.POSITIVE_INFINITY : Date.parse(p.timeMax);
    if (Number.isNaN(timeMin)) return invalidParameter('timeMin');
    if (Number.isNaN(timeMax)) return invalidParameter('timeMax');

    const queryKey = createHash('sha1')
      .update(JSON.stringify([calendarId, { ...p, pageToken: undefined, maxResults: undefined }]))
      .digest('hex')
      .slice(0, 16);
    let offset = 0;
    let watermark = cal.watermark;
    if (p.pageToken !== undefined) {
      const token = decode<PageTokenState>(p.pageToken);
      if (!token || token.k !== queryKey) return invalidParameter('pageToken', 'Invalid page token value.');
      offset = token.o;
      watermark = token.w;
    }

    const cacheKey = `${queryKey}:${watermark}:${this.generation}`;
    let items = this.cache?.key === cacheKey ? this.cache.items : null;
    if (!items) {
      const horizon = Number.isFinite(timeMax) ? timeMax : this.now() + 2 * 365 * DAY;
      items = this.select(cal, singleEvents, horizon).filter((e) => {
        const updated = Date.parse(e.updated ?? '') || 0;
        if (updated > watermark || updated <= since || updated < updatedMin) return false;
        if (!showDeleted && e.status === 'cancelled') return false;
        if (p.iCalUID !== undefined && e.iCalUID !== p.iCalUID) return false;
        if (p.q !== undefined && !`${e.summary ?? ''}\n${e.description ?? ''}`.includes(p.q)) return false;
        // A cancelled event in a sync answer may carry no times; it still belongs to the answer.
        if (e.status !== 'cancelled' || e.start) {
          const s = eventTimeMs(e.start, cal.timeZone);
          const end = eventTimeMs(e.end, cal.timeZone);
          if (!e.recurrence && (end <= timeMin || s >= timeMax)) return false;
        }
        return true;
      });
      if (p.orderBy === 'startTime')
        items.sort(
          (a, b) =>
            eventTimeMs(a.start, cal.timeZone) - eventTimeMs(b.start, cal.timeZone) || cmp(a.id, b.id),
        );
      else items.sort((a, b) => cmp(a.updated ?? '', b.updated ?? '') || cmp(a.id, b.id));
      this.cache = { key: cacheKey, items };
    }

    const page = items.slice(offset, offset + pageSize);
    const body: Record<string, unknown> = {
      kind: 'calendar#events',
      etag: `"${watermark}000"`,
      summary: cal.summary ?? cal.calendarId,
      description: '',
      updated: new Date(watermark || this.now()).toISOString(),
      timeZone: cal.timeZone,
      accessRole: 'reader',
      defaultReminders: [],
    };
    if (offset + pageSize < items.length)
      body.nextPageToken = encode({ o: offset + pageSize, w: watermark, k: queryKey });
    else
      body.nextSyncToken = encode({
        c: calendarId,
        w: watermark,
        g: this.generation,
      } satisfies SyncTokenState);
    body.items = page;
    return { status: 200, body };
  }

  private select(cal: CalendarData, singleEvents: boolean, horizon: number): CalendarEvent[] {
    if (!singleEvents) return cal.items;
    const exceptions = new Map<string, CalendarEvent[]>();
    for (const e of cal.items) {
      if (!e.recurringEventId) continue;
      const list = exceptions.get(e.recurringEventId) ?? [];
      list.push(e);
      exceptions.set(e.recurringEventId, list);
    }
    const out: CalendarEvent[] = [];
    const masters = new Set<string>();
    for (const e of cal.items) {
      if (e.recurrence && e.status !== 'cancelled') {
        masters.add(e.id);
        out.push(...expandInstances(e, exceptions.get(e.id) ?? [], cal.timeZone, horizon));
      }
    }
    for (const e of cal.items) {
      if (e.recurrence && e.status !== 'cancelled') continue;
      if (e.recurringEventId && masters.has(e.recurringEventId)) continue;
      out.push(e);
    }
    return out;
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
