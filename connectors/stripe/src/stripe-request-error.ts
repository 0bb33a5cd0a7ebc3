import { SalvageError } from '@salvage/core';

/** How a Stripe request failed, in the terms the connector acts on. */
export type StripeFailureKind =
  | 'auth'
  | 'permission'
  | 'account'
  | 'rate_limit'
  | 'server'
  | 'network'
  | 'malformed'
  | 'invalid_request'
  | 'not_found'
  | 'aborted'
  | 'unknown';

/**
 * A Stripe request that failed, wrapped once at the transport: method, path, status, request id and the permission a
 * restricted key lacks are kept; the key and response bodies are dropped.
 */
export class StripeRequestError extends SalvageError {
  readonly kind: StripeFailureKind;
  readonly method: string;
  readonly path: string;
  readonly status: number | undefined;
  readonly requestId: string | undefined;
  /** For 'permission': the restricted-key permission to add, such as `rak_charge_read`. */
  readonly permission: string | undefined;
  /** Seconds from a Retry-After header. */
  readonly retryAfterSeconds: number | undefined;
  constructor(
    kind: StripeFailureKind,
    info: {
      method: string;
      path: string;
      status?: number;
      requestId?: string;
      permission?: string;
      retryAfterSeconds?: number;
      detail?: string;
    },
    cause?: unknown,
  ) {
    const where = `${info.method} ${info.path}`;
    const status = info.status
      ? ` (HTTP ${info.status}${info.requestId ? `, request ${info.requestId}` : ''})`
      : '';
    super(
      `stripe_${kind}`,
      `Stripe ${where} failed: ${kind}${info.detail ? ` (${info.detail})` : ''}${status}`,
      {
        cause,
      },
    );
    this.name = 'StripeRequestError';
    this.kind = kind;
    this.method = info.method;
    this.path = info.path;
    this.status = info.status;
    this.requestId = info.requestId;
    this.permission = info.permission;
    this.retryAfterSeconds = info.retryAfterSeconds;
  }
}

/** Failures worth another attempt: rate limits, server errors, dropped connections, a garbled body. */
export function isRetryable(e: StripeRequestError): boolean {
  return e.kind === 'rate_limit' || e.kind === 'server' || e.kind === 'network' || e.kind === 'malformed';
}

interface SdkErrorLike {
  type?: string;
  statusCode?: number;
  requestId?: string;
  code?: string;
  message?: string;
  headers?: Record<string, string | undefined>;
  name?: string;
}

/** Wraps whatever the SDK threw into a StripeRequestError (an AbortError stays 'aborted'). */
export function wrapStripeError(error: unknown, method: string, path: string): StripeRequestError {
  if (error instanceof StripeRequestError) return error;
  const e = (error ?? {}) as SdkErrorLike;
  const base = {
    method,
    path,
    ...(e.statusCode ? { status: e.statusCode } : {}),
    ...(e.requestId ? { requestId: e.requestId } : {}),
  };
  if (e.name === 'AbortError') return new StripeRequestError('aborted', base, error);
  const retryAfter = Number(e.headers?.['retry-after']);
  const message = typeof e.message === 'string' ? e.message : '';
  switch (e.type) {
    case 'StripeAuthenticationError':
      return new StripeRequestError('auth', base, error);
    case 'StripePermissionError': {
      if (e.code === 'account_invalid')
        return new StripeRequestError(
          'account',
          { ...base, detail: 'the key cannot reach this account' },
          error,
        );
      const permission = /'(rak_[a-z_]+)'/.exec(message)?.[1];
      return new StripeRequestError(
        'permission',
        { ...base, ...(permission ? { permission, detail: `needs ${permission}` } : {}) },
        error,
      );
    }
    case 'StripeRateLimitError':
      return new StripeRequestError(
        'rate_limit',
        {
          ...base,
          ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterSeconds: retryAfter } : {}),
        },
        error,
      );
    case 'StripeConnectionError':
      return new StripeRequestError('network', base, error);
    case 'StripeAPIError':
      if (!e.statusCode && /Invalid JSON/i.test(message))
        return new StripeRequestError(
          'malformed',
          { ...base, detail: 'the response was not valid JSON' },
          error,
        );
      return new StripeRequestError((e.statusCode ?? 500) >= 500 ? 'server' : 'unknown', base, error);
    case 'StripeInvalidRequestError':
      return new StripeRequestError(e.statusCode === 404 ? 'not_found' : 'invalid_request', base, error);
    default:
      if ((e.statusCode ?? 0) >= 500) return new StripeRequestError('server', base, error);
      return new StripeRequestError(
        'unknown',
        { ...base, detail: message.split('\n')[0]?.slice(0, 200) },
        error,
      );
  }
}
