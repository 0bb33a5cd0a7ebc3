import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local iCalendar feed on 127.0.0.1 with ETag and Last-Modified, as marketplaces publish them. */
export interface IcsFeedServer {
  url: string;
  /** Replaces the served calendar (a new ETag follows). */
  setBody(text: string): void;
  requests: { method: string; headers: IncomingHttpHeaders; status: number }[];
  close(): Promise<void>;
}

/** Starts a feed serving `body`; `hang` makes it accept requests and never answer (for timeouts). */
export async function startIcsFeed(body: string, opts: { hang?: boolean } = {}): Promise<IcsFeedServer> {
  let text = body;
  let etag = '';
  let lastModified = '';
  const setBody = (t: string) => {
    text = t;
    etag = `"${createHash('sha1').update(t).digest('hex').slice(0, 16)}"`;
    lastModified = new Date(Date.UTC(2026, 2, 1) + t.length * 1000).toUTCString();
  };
  setBody(body);
  const requests: IcsFeedServer['requests'] = [];
  const server = createServer((req, res) => {
    if (opts.hang) return;
    let status = 200;
    if (req.method !== 'GET') status = 405;
    else if (
      req.headers['if-none-match'] === etag ||
      (!req.headers['if-none-match'] && req.headers['if-modified-since'] === lastModified)
    )
      status = 304;
    requests.push({ method: req.method ?? '', headers: req.headers, status });
    if (status !== 200) {
      res.writeHead(status, { etag, 'last-modified': lastModified });
      res.end();
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/calendar; charset=utf-8',
      etag,
      'last-modified': lastModified,
    });
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/calendar/ical/listing-4711.ics?s=secret-token-xyz`,
    setBody,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
