// One fetch wrapper for the whole SPA: JSON in/out, CSRF header on mutations,
// problem+json errors turned into ApiError, 401 routed to the login page.

export const API_BASE = '/api/v1';

export interface FieldProblem {
  field: string;
  code?: string;
  message: string;
  index?: number;
}

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  code?: string;
  errors?: FieldProblem[];
  field?: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  readonly retryAfter: number | null;

  constructor(problem: Problem, retryAfter: number | null = null) {
    super(problem.detail || problem.title || `HTTP ${problem.status}`);
    this.name = 'ApiError';
    this.status = problem.status;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }

  get code(): string | undefined {
    return this.problem.code;
  }
}

let csrfToken: string | null = null;
let language = 'zh-CN';
let onUnauthenticated: (() => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function setApiLanguage(lang: string): void {
  language = lang;
}

export function setUnauthenticatedHandler(handler: (() => void) | null): void {
  onUnauthenticated = handler;
}

export type QueryValue = string | number | boolean | null | undefined;

export function buildQuery(params?: Record<string, QueryValue>): string {
  if (!params) return '';
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    sp.set(k, String(v));
  }
  const s = sp.toString();
  return s ? `?${s}` : '';
}

export interface RequestOptions {
  method?: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  rawBody?: BodyInit;
  contentType?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Do not trigger the global 401 redirect (login page, session probe). */
  skipAuthRedirect?: boolean;
}

function headersFor(method: string, opts: RequestOptions): Headers {
  const h = new Headers(opts.headers);
  h.set('Accept', 'application/json, application/problem+json');
  h.set('Accept-Language', language);
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) h.set('x-csrf-token', csrfToken);
  if (opts.rawBody !== undefined) {
    if (opts.contentType) h.set('Content-Type', opts.contentType);
  } else if (opts.body !== undefined) {
    h.set('Content-Type', 'application/json');
  }
  return h;
}

async function toApiError(res: Response): Promise<ApiError> {
  let problem: Problem = { status: res.status, title: res.statusText };
  const text = await res.text().catch(() => '');
  if (text) {
    try {
      const parsed = JSON.parse(text) as Partial<Problem> & { message?: string };
      problem = {
        ...problem,
        ...parsed,
        status: parsed.status ?? res.status,
        detail: parsed.detail ?? parsed.message,
      };
    } catch {
      problem.detail = text.slice(0, 300);
    }
  }
  const ra = res.headers.get('Retry-After');
  return new ApiError(problem, ra ? Number(ra) : null);
}

/** Low-level: returns the Response (for downloads); throws ApiError on non-2xx. */
export async function apiFetch(path: string, opts: RequestOptions = {}): Promise<Response> {
  const method = (opts.method ?? 'GET').toUpperCase();
  let res: Response;
  try {
    res = await fetch(`${API_BASE}${path}${buildQuery(opts.query)}`, {
      method,
      headers: headersFor(method, opts),
      body:
        opts.rawBody !== undefined
          ? opts.rawBody
          : opts.body !== undefined
            ? JSON.stringify(opts.body)
            : undefined,
      credentials: 'same-origin',
      signal: opts.signal,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError({ status: 0, code: 'network', title: 'Network error', detail: (e as Error).message });
  }
  if (!res.ok) {
    const err = await toApiError(res);
    if (res.status === 401 && !opts.skipAuthRedirect) onUnauthenticated?.();
    throw err;
  }
  return res;
}

export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await apiFetch(path, opts);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  if (!text) return undefined as T;
  return JSON.parse(text) as T;
}

export const http = {
  get: <T>(path: string, query?: Record<string, QueryValue>, opts?: RequestOptions) =>
    api<T>(path, { ...opts, query }),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) =>
    api<T>(path, { ...opts, method: 'POST', body: body ?? {} }),
  patch: <T>(path: string, body?: unknown, opts?: RequestOptions) =>
    api<T>(path, { ...opts, method: 'PATCH', body: body ?? {} }),
  put: <T>(path: string, body?: unknown, opts?: RequestOptions) =>
    api<T>(path, { ...opts, method: 'PUT', body: body ?? {} }),
  del: <T>(path: string, opts?: RequestOptions) => api<T>(path, { ...opts, method: 'DELETE' }),
};

/** Lists may come back bare or wrapped in {items}; accept both. */
export function asItems<T>(data: unknown): T[] {
  if (Array.isArray(data)) return data as T[];
  if (data && typeof data === 'object') {
    const o = data as Record<string, unknown>;
    for (const k of ['items', 'data', 'results']) if (Array.isArray(o[k])) return o[k] as T[];
  }
  return [];
}

/** Save a Response body as a file, naming it from Content-Disposition when present. */
export async function saveResponse(
  res: Response,
  fallbackName: string,
  onProgress?: (loaded: number, total: number | null) => void,
): Promise<void> {
  const total = Number(res.headers.get('Content-Length')) || null;
  let blob: Blob;
  if (res.body && onProgress) {
    const reader = res.body.getReader();
    const chunks: BlobPart[] = [];
    let loaded = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value as BlobPart);
      loaded += value.byteLength;
      onProgress(loaded, total);
    }
    blob = new Blob(chunks, { type: res.headers.get('Content-Type') ?? 'application/octet-stream' });
  } else {
    blob = await res.blob();
  }
  const name = filenameFrom(res.headers.get('Content-Disposition')) ?? fallbackName;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function filenameFrom(cd: string | null): string | null {
  if (!cd) return null;
  const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(cd);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''));
    } catch {
      /* fall through */
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(cd);
  return plain ? plain[1] : null;
}
