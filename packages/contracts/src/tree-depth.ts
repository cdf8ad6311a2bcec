import { z } from 'zod';

/** How deep `and` / `or` / `not` nest in a filter or rule tree, counted without recursion. */
export function logicDepth(value: unknown): number {
  let deepest = 0;
  const stack: { v: unknown; d: number }[] = [{ v: value, d: 0 }];
  while (stack.length) {
    const { v, d } = stack.pop()!;
    if (Array.isArray(v)) {
      for (const item of v) stack.push({ v: item, d });
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    const node = v as Record<string, unknown>;
    const children = ['and', 'or', 'not'].filter((k) => k in node).map((k) => node[k]);
    if (!children.length) continue;
    deepest = Math.max(deepest, d + 1);
    for (const c of children) stack.push({ v: c, d: d + 1 });
  }
  return deepest;
}

const depthIssue =
  (max: number) =>
  (v: unknown, ctx: z.RefinementCtx): void => {
    if (logicDepth(v) > max) ctx.addIssue({ code: 'custom', params: { code: 'max_depth', max } });
  };

/**
 * A recursive filter/rule schema limited to `max` levels of and/or/not (field error
 * `max_depth`). Checked once the tree has parsed, so its JSON Schema (OpenAPI, probes) stays
 * whole: request bodies are capped at MAX_JSON_DEPTH before any schema runs, far below what
 * would exhaust the stack.
 */
export const depthLimited = <T>(tree: z.ZodType<T>, max = 20): z.ZodType<T> =>
  tree.superRefine(depthIssue(max));

/** The same limit for input nothing has capped yet (a JSON string from a query), checked first. */
export const depthCheckedFirst = <T>(tree: z.ZodType<T>, max = 20): z.ZodType<T> =>
  z.unknown().superRefine(depthIssue(max)).pipe(tree);
