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
  // Paths are built only for the one value reported: a 10 MB bulk body has half a million values.
  const stack: Visit[] = [{ v: value, key: '', parent: null, depth: 0 }];
  while (stack.length) {
    const at = stack.pop()!;
    const { v } = at;
    if (typeof v === 'string') {
      const bad = textProblem(v);
      if (bad) return { field: pathOf(at), code: bad };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (at.depth >= MAX_JSON_DEPTH)
      // The top-level field is the one a form can point at; the full path would be as deep as the input.
      return { field: pathOf(at).split('.')[0]!, code: 'max_depth', params: { max: MAX_JSON_DEPTH } };
    const depth = at.depth + 1;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push({ v: v[i], key: String(i), parent: at, depth });
      continue;
    }
    for (const [key, item] of Object.entries(v)) {
      const visit = { v: item, key, parent: at, depth };
      const bad = textProblem(key);
      if (bad) return { field: pathOf(visit), code: bad };
      stack.push(visit);
    }
  }
  return null;
}

interface Visit {
  v: unknown;
  key: string;
  parent: Visit | null;
  depth: number;
}

function pathOf(at: Visit): string {
  const keys: string[] = [];
  for (let n: Visit | null = at; n?.parent; n = n.parent) keys.push(n.key);
  return keys.reverse().join('.');
}

function textProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'text_nul';
  if (!s.isWellFormed()) return 'text_surrogate';
  return null;
}
