import type { FieldError } from '../errors.ts';

/** Deeper than any form or rule needs; deep enough input would overflow recursive parsers. */
export const MAX_JSON_DEPTH = 64;

/**
 * The first value in a parsed request (body, query, params) that PostgreSQL cannot store or
 * that would overflow a recursive validator: a NUL character (text and jsonb refuse it), a lone
 * UTF-16 surrogate (not Unicode; jsonb refuses its escape), or nesting beyond MAX_JSON_DEPTH.
 * Keys are checked like values. Iterative, so no input can overflow this check itself.
 */
export function findUnstorableText(value: unknown): FieldError | null {
  const stack: { v: unknown; path: string[] }[] = [{ v: value, path: [] }];
  while (stack.length) {
    const { v, path } = stack.pop()!;
    if (typeof v === 'string') {
      const bad = textProblem(v);
      if (bad) return { field: path.join('.'), code: bad };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (path.length >= MAX_JSON_DEPTH)
      // The top-level field is the one a form can point at; the full path would be as deep as the input.
      return { field: path[0] ?? '', code: 'max_depth', params: { max: MAX_JSON_DEPTH } };
    if (Array.isArray(v)) v.forEach((item, i) => stack.push({ v: item, path: [...path, String(i)] }));
    else
      for (const [k, item] of Object.entries(v)) {
        const bad = textProblem(k);
        if (bad) return { field: [...path, k].join('.'), code: bad };
        stack.push({ v: item, path: [...path, k] });
      }
  }
  return null;
}

function textProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'text_nul';
  if (!s.isWellFormed()) return 'text_surrogate';
  return null;
}
