import { readFile } from 'node:fs/promises';
import { SalvageError } from '@salvage/core';

/** What a feed or file read gave: its text, or that it has not changed since the validators given. */
export type IcsFetchResult =
  | { kind: 'unchanged' }
  | { kind: 'body'; bytes: Uint8Array; etag?: string; lastModified?: string };

/** A feed or file could not be read: the code says why (timeout, HTTP status, file missing), the message what to do. */
export class IcsSourceError extends SalvageError {
  constructor(
    code: 'ics_feed_timeout' | 'ics_feed_http' | 'ics_feed_network' | 'ics_file_unreadable',
    message: string,
    cause?: unknown,
  ) {
    super(code, message, { cause });
    this.name = 'IcsSourceError';
  }
}

/** Reads a local .ics file's bytes. */
export async function readIcsFile(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new IcsSourceError(
      'ics_file_unreadable',
      `cannot read ${path} (${code}); check calendar.ics[].path`,
      error,
    );
  }
}

/** Only scheme, host and path of a feed URL: marketplace feed URLs carry secrets in their query. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return '(invalid URL)';
  }
}

/**
 * Fetches an iCalendar feed with a conditional GET (If-None-Match, If-Modified-Since): 304 means unchanged. Gives up
 * after `timeoutMs` (default 30 s). Never sends anything but GET.
 */
export async function fetchIcsFeed(
  url: string,
  validators: { etag?: string; lastModified?: string },
  opts: { timeoutMs?: number; fetch?: typeof fetch; signal?: AbortSignal } = {},
): Promise<IcsFetchResult> {
  const headers: Record<string, string> = { accept: 'text/calendar, */*;q=0.5' };
  if (validators.etag) headers['if-none-match'] = validators.etag;
  if (validators.lastModified) headers['if-modified-since'] = validators.lastModified;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const signals = [AbortSignal.timeout(timeoutMs), ...(opts.signal ? [opts.signal] : [])];
  const where = redactUrl(url);
  let res: Response;
  let bytes: Uint8Array;
  try {
    res = await (opts.fetch ?? fetch)(url, {
      method: 'GET',
      headers,
      signal: AbortSignal.any(signals),
      redirect: 'follow',
    });
    if (res.status === 304) return { kind: 'unchanged' };
    if (!res.ok)
      throw new IcsSourceError(
        'ics_feed_http',
        `feed ${where} answered HTTP ${res.status}; check the URL is still published`,
      );
    bytes = new Uint8Array(await res.arrayBuffer());
  } catch (error) {
    if (error instanceof IcsSourceError) throw error;
    const name = (error as Error)?.name;
    if (name === 'TimeoutError' || name === 'AbortError')
      throw new IcsSourceError(
        'ics_feed_timeout',
        `feed ${where} did not answer within ${timeoutMs} ms; the other sources were read, retry later`,
        error,
      );
    throw new IcsSourceError(
      'ics_feed_network',
      `cannot reach feed ${where} (${(error as Error)?.message ?? error})`,
      error,
    );
  }
  const out: IcsFetchResult = { kind: 'body', bytes };
  const etag = res.headers.get('etag');
  const lastModified = res.headers.get('last-modified');
  if (etag) out.etag = etag;
  if (lastModified) out.lastModified = lastModified;
  return out;
}
