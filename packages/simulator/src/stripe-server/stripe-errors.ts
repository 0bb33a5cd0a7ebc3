/**
 * Error bodies as the Stripe API writes them (https://docs.stripe.com/api/errors): `{ error: { type, code?, message,
 * param?, doc_url? } }`. The SDK picks its error class from the HTTP status and these fields.
 */
export interface StripeErrorResponse {
  status: number;
  body: { error: Record<string, unknown> };
  headers?: Record<string, string>;
}

function redact(key: string): string {
  const prefix = /^(sk|rk|pk)_(test|live)_/.exec(key)?.[0] ?? '';
  return `${prefix}${'*'.repeat(Math.max(0, key.length - prefix.length - 4))}${key.slice(-4)}`;
}

/** 401: no key or an unknown key. */
export function invalidKeyError(key: string | null): StripeErrorResponse {
  return {
    status: 401,
    body: {
      error: {
        message: key
          ? `Invalid API Key provided: ${redact(key)}`
          : "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
        type: 'invalid_request_error',
      },
    },
  };
}

/** 403: a restricted key without the permission this endpoint needs. */
export function permissionError(key: string, account: string, permission: string): StripeErrorResponse {
  return {
    status: 403,
    body: {
      error: {
        message: `The provided key '${redact(key)}' does not have the required permissions for this endpoint on account '${account}'. Having the '${permission}' permission would allow this request to continue.`,
        type: 'invalid_request_error',
      },
    },
  };
}

/** 403: the Stripe-Account header names an account this key cannot reach. */
export function accountAccessError(key: string, account: string): StripeErrorResponse {
  return {
    status: 403,
    body: {
      error: {
        code: 'account_invalid',
        doc_url: 'https://stripe.com/docs/error-codes/account-invalid',
        message: `The provided key '${redact(key)}' does not have access to account '${account}' (or that account does not exist). Application access may have been revoked.`,
        type: 'invalid_request_error',
      },
    },
  };
}

/** 429: over the account's or the endpoint's request rate. */
export function rateLimitError(retryAfterSeconds: number | null): StripeErrorResponse {
  return {
    status: 429,
    body: {
      error: {
        code: 'rate_limit',
        doc_url: 'https://stripe.com/docs/error-codes/rate-limit',
        message:
          'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
        type: 'invalid_request_error',
      },
    },
    ...(retryAfterSeconds === null ? {} : { headers: { 'retry-after': String(retryAfterSeconds) } }),
  };
}

/** 404: no object with that id. */
export function missingError(kindLabel: string, id: string): StripeErrorResponse {
  return {
    status: 404,
    body: {
      error: {
        code: 'resource_missing',
        doc_url: 'https://stripe.com/docs/error-codes/resource-missing',
        message: `No such ${kindLabel}: '${id}'`,
        param: 'id',
        type: 'invalid_request_error',
      },
    },
  };
}

/** 404 for a path the API does not have. */
export function unknownRouteError(method: string, path: string): StripeErrorResponse {
  return {
    status: 404,
    body: {
      error: {
        message: `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
        type: 'invalid_request_error',
      },
    },
  };
}

/** 400 for a parameter the API would refuse. */
export function invalidParamError(param: string, message: string): StripeErrorResponse {
  return { status: 400, body: { error: { message, param, type: 'invalid_request_error' } } };
}

/** 405 for anything but GET: this server is read-only, and records the attempt. */
export function methodNotAllowedError(method: string, path: string): StripeErrorResponse {
  return {
    status: 405,
    body: {
      error: {
        message: `This local Stripe server is read-only: ${method} ${path} was refused and recorded.`,
        type: 'invalid_request_error',
      },
    },
  };
}

/** 500: an injected server fault. */
export function serverError(): StripeErrorResponse {
  return {
    status: 500,
    body: {
      error: {
        message: 'An unknown error occurred',
        type: 'api_error',
      },
    },
  };
}
