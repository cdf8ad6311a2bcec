import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { AppError, type FieldError, notFound } from '../errors.ts';
import type { Locale } from '../i18n/locale.ts';
import { hasMessage, t } from '../i18n/messages.ts';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldError[];
  instance?: string;
  [k: string]: unknown;
}

/** Turns zod issues into field errors with stable codes the UI and tests can rely on. */
export function zodToFieldErrors(error: z.ZodError, prefix = ''): FieldError[] {
  return error.issues.map((i) => {
    const field = prefix + i.path.map(String).join('.');
    const issue = i as any;
    switch (i.code) {
      case 'invalid_type':
        return /received undefined/.test(i.message)
          ? { field, code: 'required' }
          : { field, code: 'type', params: { expected: issue.expected } };
      case 'too_big':
        return issue.origin === 'string'
          ? { field, code: 'max_length', params: { max: issue.maximum } }
          : { field, code: 'max', params: { max: issue.maximum } };
      case 'too_small':
        if (issue.origin === 'string' && issue.minimum === 1) return { field, code: 'required' };
        return issue.origin === 'string'
          ? { field, code: 'pattern', params: { min: issue.minimum } }
          : { field, code: 'min', params: { min: issue.minimum } };
      case 'invalid_format':
        // A schema may name its own message key, e.g. z.string().regex(re, { message: 'api_name' }).
        if (hasMessage(i.message)) return { field, code: i.message };
        return { field, code: issue.format === 'email' ? 'email_format' : 'pattern' };
      case 'invalid_value':
        return { field, code: 'option', params: { value: String(issue.input ?? '') } };
      case 'unrecognized_keys':
        return { field: issue.keys?.[0] ?? field, code: 'unknown_field' };
      case 'custom':
        return { field, code: issue.params?.code ?? 'pattern', params: issue.params };
      default:
        return { field, code: 'pattern' };
    }
  });
}

export function localiseErrors(errors: FieldError[] | undefined, locale: Locale): FieldError[] | undefined {
  return errors?.map((e) => ({ ...e, message: e.message ?? t(locale, e.code, e.params) }));
}

export function toProblem(err: AppError, locale: Locale, instance?: string): Problem {
  return {
    type: `https://kehu.dev/problems/${err.code}`,
    title: t(locale, `title.${err.code}`),
    status: err.status,
    detail: t(locale, err.detailKey ?? err.code, err.params),
    code: err.code,
    ...(err.errors ? { errors: localiseErrors(err.errors, locale) } : {}),
    ...(err.extra ?? {}),
    ...(instance ? { instance } : {}),
  };
}

/** A size as people read it: "1 MB", "32 kB", in the caller's language. */
export function formatBytes(bytes: number, locale: Locale): string {
  const mb = bytes >= 1024 * 1024;
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: mb ? 'megabyte' : 'kilobyte',
    unitDisplay: 'short',
    maximumFractionDigits: 1,
  }).format(bytes / (mb ? 1024 * 1024 : 1024));
}

/** Fastify's body-too-large error does not say the limit; the route it hit does. */
function withBodyLimit(err: AppError, reply: FastifyReply, locale: Locale): AppError {
  if (err.code !== 'payload_too_large' || err.params?.limit !== undefined) return err;
  const bytes = reply.request.routeOptions?.bodyLimit ?? reply.server.initialConfig.bodyLimit;
  if (!bytes) return err;
  return new AppError(err.code, err.status, {
    detailKey: err.detailKey,
    params: { ...err.params, limit: formatBytes(bytes, locale) },
    extra: { ...err.extra, limitBytes: bytes },
  });
}

export function sendProblem(reply: FastifyReply, err: AppError, locale: Locale) {
  const problem = toProblem(withBodyLimit(err, reply, locale), locale, reply.request.url);
  if (err.code === 'rate_limited' && err.extra?.retryAfter)
    reply.header('retry-after', String(err.extra.retryAfter));
  return reply.status(err.status).type('application/problem+json').send(problem);
}

/** PostgreSQL and Fastify errors we expect, translated in this one place. */
export function translateError(err: any): AppError | null {
  if (err instanceof AppError) return err;
  if (err instanceof z.ZodError)
    return new AppError('validation', 422, {
      errors: zodToFieldErrors(err),
      detailKey: 'validation.fields',
      params: { count: err.issues.length },
    });
  const code: string | undefined = err?.code;
  if (code === '23505') {
    const field =
      /\(([^)]+)\)=/
        .exec(err.detail ?? '')?.[1]
        ?.split(',')
        .pop()
        ?.trim() ?? 'value';
    return new AppError('conflict', 409, {
      detailKey: 'conflict.unique',
      params: { field },
      errors: [{ field, code: 'unique' }],
    });
  }
  // Text PostgreSQL refuses (NUL, broken Unicode) that got past the request checks, e.g. from a file.
  if (code === '22P05' || code === '22021')
    return new AppError('bad_request', 400, { detailKey: 'bad_request.text' });
  if (code === '40001' || code === '40P01')
    return new AppError('conflict', 409, { detailKey: 'conflict.version', params: { current: '?' } });
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return new AppError('payload_too_large', 413, { detailKey: 'payload_too_large' });
  if (
    code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    (err?.statusCode === 400 && /JSON/i.test(err?.message ?? ''))
  )
    return new AppError('bad_request', 400, { detailKey: 'bad_request.json' });
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
    return new AppError('bad_request', 400, { detailKey: 'bad_request.json' });
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return new AppError('bad_request', 400, { detailKey: 'bad_request.body' });
  if (err?.statusCode === 400) return new AppError('bad_request', 400, { detailKey: 'bad_request.body' });
  // The static file server refuses directories (`/assets/`) and odd paths with 403: there is no file.
  if (err?.statusCode === 403 || err?.statusCode === 404) return notFound('resource');
  return null;
}
