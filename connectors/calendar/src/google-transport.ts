import { SalvageError } from '@salvage/core';
import { Auth, calendar_v3 } from 'googleapis';

/** A Calendar API failure, wrapped once: method, path (no query, no token), HTTP status and Google's reason. */
export class GoogleCalendarError extends SalvageError {
  readonly status: number | null;
  readonly reason: string | null;
  constructor(
    code:
      | 'google_sync_token_expired'
      | 'google_auth'
      | 'google_permission'
      | 'google_not_found'
      | 'google_rate_limited'
      | 'google_network'
      | 'google_error',
    message: string,
    details: { status: number | null; reason: string | null; cause?: unknown },
  ) {
    super(code, message, { cause: details.cause });
    this.name = 'GoogleCalendarError';
    this.status = details.status;
    this.reason = details.reason;
  }
}

interface GaxiosLike {
  status?: number;
  code?: string;
  response?: { status?: number; data?: { error?: { errors?: { reason?: string }[]; message?: string } } };
}

/** Wraps a googleapis (gaxios) error: keeps status, reason, method and path; drops tokens, bodies and queries. */
export function wrapGoogleError(error: unknown, what: string): GoogleCalendarError {
  const e = error as GaxiosLike;
  const status = e?.response?.status ?? e?.status ?? null;
  const reason = e?.response?.data?.error?.errors?.[0]?.reason ?? null;
  const tail = `${status === null ? '' : ` (HTTP ${status}${reason ? ` ${reason}` : ''})`}`;
  const details = { status: typeof status === 'number' ? status : null, reason, cause: error };
  if (status === 410)
    return new GoogleCalendarError(
      'google_sync_token_expired',
      `${what}: sync token no longer valid${tail}; a full sync follows`,
      details,
    );
  if (status === 401)
    return new GoogleCalendarError(
      'google_auth',
      `${what}: the access token was refused${tail}; set a valid calendar.readonly token in the variable the config names`,
      details,
    );
  if (status === 403 && reason !== 'rateLimitExceeded' && reason !== 'userRateLimitExceeded')
    return new GoogleCalendarError(
      'google_permission',
      `${what}: access denied${tail}; share the calendar with the account or grant calendar.readonly`,
      details,
    );
  if (status === 404)
    return new GoogleCalendarError(
      'google_not_found',
      `${what}: calendar not found${tail}; check calendarId and that the account can see it`,
      details,
    );
  if (status === 403 || status === 429)
    return new GoogleCalendarError(
      'google_rate_limited',
      `${what}: Google's quota was exceeded${tail}; retry later or lower the pull rate`,
      details,
    );
  if (status === null)
    return new GoogleCalendarError(
      'google_network',
      `${what}: cannot reach the Calendar API (${e?.code ?? 'network error'})`,
      details,
    );
  return new GoogleCalendarError('google_error', `${what}: the Calendar API failed${tail}`, details);
}

/** One page of events.list. */
export interface EventsPage {
  items: calendar_v3.Schema$Event[];
  nextSyncToken?: string;
  timeZone?: string;
}

/** The reads the connector makes of Google Calendar, nothing more (read-only by construction). */
export interface GoogleCalendarTransport {
  /** Pages of events.list with showDeleted; a full listing without syncToken, else the changes since it. */
  listEvents(
    calendarId: string,
    opts: { singleEvents: boolean; syncToken?: string; signal?: AbortSignal },
  ): AsyncIterable<EventsPage>;
  /** Reads one event, to prove the token and calendar work. */
  probe(calendarId: string): Promise<void>;
}

/** Options of the googleapis transport: the OAuth access token, the API root (tests), retries and page size. */
export interface GoogleTransportOptions {
  accessToken: string;
  rootUrl?: string;
  /** Tries per request for quota errors and 5xx; default 5. */
  maxAttempts?: number;
  /** Waits between tries (injected in tests); default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  /** events.list maxResults; default 2500 (the API's maximum). */
  pageSize?: number;
}

/** The Calendar transport over googleapis with an OAuth2 client holding only an access token (calendar.readonly). */
export function createGoogleTransport(options: GoogleTransportOptions): GoogleCalendarTransport {
  const auth = new Auth.OAuth2Client();
  auth.setCredentials({
    access_token: options.accessToken,
    scope: 'https://www.googleapis.com/auth/calendar.readonly',
  });
  // googleapis bundles an older google-auth-library for its types than the one it re-exports: same class at runtime.
  const api = new calendar_v3.Calendar({
    auth: auth as unknown as calendar_v3.Options['auth'],
    ...(options.rootUrl ? { rootUrl: options.rootUrl } : {}),
  });
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const attempts = options.maxAttempts ?? 5;

  async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        const wrapped = wrapGoogleError(error, what);
        const retryable =
          wrapped.code === 'google_rate_limited' ||
          (wrapped.status !== null && wrapped.status >= 500) ||
          wrapped.code === 'google_network';
        if (!retryable || attempt >= attempts) throw wrapped;
        // Exponential backoff, as Google asks for quota errors: https://developers.google.com/calendar/api/guides/quota
        await sleep(Math.min(32_000, 500 * 2 ** (attempt - 1)));
      }
    }
  }

  return {
    async *listEvents(calendarId, opts) {
      let pageToken: string | undefined;
      do {
        const params: calendar_v3.Params$Resource$Events$List = {
          calendarId,
          maxResults: options.pageSize ?? 2500,
          showDeleted: true,
          singleEvents: opts.singleEvents,
        };
        if (opts.syncToken) params.syncToken = opts.syncToken;
        if (pageToken) params.pageToken = pageToken;
        const res = await call(`GET calendar/v3/calendars/${calendarId}/events`, () =>
          api.events.list(params, { retry: false, ...(opts.signal ? { signal: opts.signal } : {}) }),
        );
        const page: EventsPage = { items: res.data.items ?? [] };
        if (res.data.nextSyncToken) page.nextSyncToken = res.data.nextSyncToken;
        if (res.data.timeZone) page.timeZone = res.data.timeZone;
        yield page;
        pageToken = res.data.nextPageToken ?? undefined;
      } while (pageToken);
    },
    async probe(calendarId) {
      await call(`GET calendar/v3/calendars/${calendarId}/events`, () =>
        api.events.list({ calendarId, maxResults: 1 }, { retry: false }),
      );
    },
  };
}
