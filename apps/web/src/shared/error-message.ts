import { ApiError } from './api-client';

/** What a user reads for a failed request: the problem's detail, else its title with the field messages. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    const p = error.problem;
    const fieldMsgs = (p.errors ?? []).map((e) => e.message).filter(Boolean);
    const base = p.detail || p.title || error.message;
    return fieldMsgs.length && !p.detail ? `${base}: ${fieldMsgs.join('; ')}` : base;
  }
  return error instanceof Error ? error.message : String(error);
}
