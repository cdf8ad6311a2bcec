/** A unit as the session lists it (id, name, parent); kept structural so this file stays pure. */
export interface UnitLike {
  id: string;
  name: string;
  parentId: string | null;
}

export interface UnitTreeNode {
  title: string;
  value: string;
  key: string;
  children: UnitTreeNode[];
}

/** The units as a tree for antd's TreeSelect; a unit whose parent is not in the list becomes a root. */
export function buildUnitTree(units: UnitLike[]): UnitTreeNode[] {
  const byId = new Map<string, UnitTreeNode>();
  for (const u of units) byId.set(u.id, { title: u.name, value: u.id, key: u.id, children: [] });
  const roots: UnitTreeNode[] = [];
  for (const u of units) {
    const node = byId.get(u.id)!;
    const parent = u.parentId ? byId.get(u.parentId) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}
