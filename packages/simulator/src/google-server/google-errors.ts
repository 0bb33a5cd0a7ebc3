/**
 * Google API error bodies as the v1/v3 JSON APIs send them (`{ error: { code, message, errors: [...], status } }`),
 * see https://developers.google.com/calendar/api/guides/errors and https://cloud.google.com/apis/design/errors.
 */

/** An error the server answers with: HTTP status plus Google's JSON body. */
export interface GoogleErrorReply {
  status: number;
  body: { error: GoogleErrorBody };
  headers?: Record<string, string>;
}

interface GoogleErrorBody {
  code: number;
  message: string;
  errors: { domain: string; reason: string; message: string; location?: string; locationType?: string }[];
  status?: string;
}

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  405: 'FAILED_PRECONDITION',
  410: 'FAILED_PRECONDITION',
  429: 'RESOURCE_EXHAUSTED',
};

/** Builds a Google error reply for `code` with one `errors[]` entry. */
export function googleError(
  code: number,
  reason: string,
  message: string,
  extra: { domain?: string; location?: string; locationType?: string } = {},
): GoogleErrorReply {
  const entry = { domain: extra.domain ?? 'global', reason, message, ...locationOf(extra) };
  return {
    status: code,
    body: { error: { code, message, errors: [entry], status: STATUS_NAMES[code] } },
  };
}

function locationOf(extra: { location?: string; locationType?: string }) {
  return extra.location ? { location: extra.location, locationType: extra.locationType ?? 'parameter' } : {};
}

/** 401 for a missing or unknown bearer token, as Google words it. */
export function authError(): GoogleErrorReply {
  const reply = googleError(
    401,
    'authError',
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
    { location: 'Authorization', locationType: 'header' },
  );
  reply.body.error.errors[0]!.message = 'Invalid Credentials';
  reply.headers = {
    'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"',
  };
  return reply;
}

/** 410 fullSyncRequired: the sync token expired or was invalidated. */
export function fullSyncRequired(): GoogleErrorReply {
  return googleError(410, 'fullSyncRequired', 'Sync token is no longer valid, a full sync is required.', {
    domain: 'calendar',
  });
}

/** 410 updatedMinTooLongAgo: updatedMin reaches back further than Google keeps changes. */
export function updatedMinTooLongAgo(): GoogleErrorReply {
  return googleError(
    410,
    'updatedMinTooLongAgo',
    'The requested minimum modification time lies too far in the past.',
    {
      domain: 'calendar',
    },
  );
}

/** 400 for a bad parameter, naming it. */
export function invalidParameter(name: string, message = 'Invalid Value'): GoogleErrorReply {
  return googleError(400, 'invalid', message, { location: name, locationType: 'parameter' });
}

/** 404 with Google's wording. */
export function notFound(message = 'Not Found'): GoogleErrorReply {
  return googleError(404, 'notFound', message);
}

/** Quota errors: 403 rateLimitExceeded (Calendar's usual answer) or 429 (the newer one). */
export function rateLimited(status: 403 | 429): GoogleErrorReply {
  const reply =
    status === 403
      ? googleError(403, 'rateLimitExceeded', 'Rate Limit Exceeded', { domain: 'usageLimits' })
      : googleError(429, 'rateLimitExceeded', 'Rate Limit Exceeded', { domain: 'usageLimits' });
  reply.headers = { 'retry-after': '1' };
  return reply;
}
