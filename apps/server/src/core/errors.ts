/**
 * Expected failures are typed; one mapper (http/problem.ts) turns them into RFC 9457
 * problem+json. Messages are i18n keys with params, localised at the edge.
 */
export interface FieldError {
  field: string;
  code: string;
  params?: Record<string, unknown>;
  /** Filled in by the HTTP layer from `code` in the caller's language. */
  message?: string;
}

export type ProblemCode =
  | 'validation'
  | 'not_found'
  | 'forbidden'
  | 'conflict'
  | 'unauthenticated'
  | 'rate_limited'
  | 'payload_too_large'
  | 'bad_request';

export class AppError extends Error {
  readonly code: ProblemCode;
  readonly status: number;
  readonly detailKey?: string;
  readonly params?: Record<string, unknown>;
  readonly errors?: FieldError[];
  readonly extra?: Record<string, unknown>;
  constructor(
    code: ProblemCode,
    status: number,
    opts: {
      detailKey?: string;
      params?: Record<string, unknown>;
      errors?: FieldError[];
      extra?: Record<string, unknown>;
    } = {},
  ) {
    super(opts.detailKey ?? code);
    this.code = code;
    this.status = status;
    this.detailKey = opts.detailKey;
    this.params = opts.params;
    this.errors = opts.errors;
    this.extra = opts.extra;
  }
}

export const invalid = (errors: FieldError[], detailKey = 'validation.fields') =>
  new AppError('validation', 422, { errors, detailKey, params: { count: errors.length } });
export const notFound = (what = 'record') =>
  new AppError('not_found', 404, { detailKey: 'not_found', params: { what } });
export const forbidden = (permission?: string) =>
  new AppError('forbidden', 403, { detailKey: 'forbidden', params: { permission } });
export const conflict = (detailKey: string, params?: Record<string, unknown>, errors?: FieldError[]) =>
  new AppError('conflict', 409, { detailKey, params, errors });
export const unauthenticated = (detailKey = 'unauthenticated') =>
  new AppError('unauthenticated', 401, { detailKey });
export const badRequest = (detailKey: string, params?: Record<string, unknown>) =>
  new AppError('bad_request', 400, { detailKey, params });
export const rateLimited = (retryAfterSeconds: number) =>
  new AppError('rate_limited', 429, {
    detailKey: 'rate_limited',
    params: { seconds: retryAfterSeconds },
    extra: { retryAfter: retryAfterSeconds },
  });
