import type { TFunction } from 'i18next';

/**
 * A `t` over real message objects for unit tests of pure functions that take one: dotted keys,
 * `{{name}}` interpolation, the key itself when missing (as i18next does). No i18next instance,
 * so tests stay free of React and of module registration.
 */
export function translator(messages: Record<string, unknown>): TFunction {
  const t = (key: string, vars?: Record<string, unknown>) => {
    let node: unknown = messages;
    for (const part of key.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
    if (typeof node !== 'string') return key;
    return node.replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, name: string) => String(vars?.[name] ?? ''));
  };
  return t as unknown as TFunction;
}
