import type { ScriptCategory } from './scripts-api';

export interface CategoryNode {
  key: string;
  value: string;
  title: string;
  children?: CategoryNode[];
}

/** The flat list as the two-level tree antd's Tree and TreeSelect draw; counts in the label when asked. */
export function categoryTree(items: ScriptCategory[], counts = true): CategoryNode[] {
  const label = (c: ScriptCategory) => (counts ? `${c.name} (${c.count})` : c.name);
  return items
    .filter((c) => !c.parentId)
    .map((c) => {
      const children = items
        .filter((k) => k.parentId === c.id)
        .map((k) => ({ key: k.id, value: k.id, title: label(k) }));
      return { key: c.id, value: c.id, title: label(c), ...(children.length ? { children } : {}) };
    });
}
