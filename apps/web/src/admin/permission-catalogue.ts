import type { LocalizedLabel } from '../app/meta';

export const RECORD_ACTIONS = ['read', 'create', 'update', 'delete', 'import', 'export', 'unmask'] as const;
export const ADMIN_PERMISSIONS = [
  'admin:units',
  'admin:users',
  'admin:roles',
  'admin:metadata',
  'admin:audit',
  'admin:apikeys',
  'admin:settings',
];

export interface ModulePermission {
  key: string;
  label: LocalizedLabel;
  description: LocalizedLabel | null;
}

export interface Catalogue {
  objects: Array<{ apiName: string; label: LocalizedLabel; actions: string[] }>;
  actions: Array<{ key: string; label: LocalizedLabel }>;
  admin: Array<{ key: string; label: LocalizedLabel }>;
  /** Each module's own permissions with labels (from its manifest), grouped by module. */
  modules: Array<{ module: string; label: LocalizedLabel; permissions: ModulePermission[] }>;
}

type Loose = Record<string, unknown>;
const PERM_RE = /^[a-z_][\w]*:[a-z_]+$/i;

/**
 * The contract only says "objects × actions + admin permissions, with labels"; accept the likely
 * shapes (grouped or flat) and fall back to the objects the admin can see × the documented actions.
 */
export function normalizeCatalogue(
  raw: unknown,
  fallbackObjects: Array<{ apiName: string; label: LocalizedLabel }>,
): Catalogue {
  const objects = new Map<string, { apiName: string; label: LocalizedLabel; actions: Set<string> }>();
  const actionLabels = new Map<string, LocalizedLabel>();
  const admin = new Map<string, LocalizedLabel>();
  const addPerm = (perm: string, label?: LocalizedLabel, objLabel?: LocalizedLabel) => {
    const [obj, action] = perm.split(':');
    if (obj === 'admin') {
      admin.set(perm, label ?? perm);
      return;
    }
    const o = objects.get(obj) ?? { apiName: obj, label: objLabel ?? obj, actions: new Set<string>() };
    if (objLabel) o.label = objLabel;
    o.actions.add(action);
    objects.set(obj, o);
  };
  const r = (raw ?? {}) as Loose;
  const arr = (v: unknown) => (Array.isArray(v) ? (v as unknown[]) : []);
  const keyOf = (x: unknown): string | undefined =>
    typeof x === 'string'
      ? x
      : x && typeof x === 'object'
        ? (((x as Loose).key ??
            (x as Loose).action ??
            (x as Loose).permission ??
            (x as Loose).name ??
            (x as Loose).id) as string | undefined)
        : undefined;
  const labelOf = (x: unknown): LocalizedLabel | undefined =>
    x && typeof x === 'object' ? ((x as Loose).label as LocalizedLabel) : undefined;

  for (const a of arr(r.actions)) {
    const k = keyOf(a);
    if (k) actionLabels.set(k, labelOf(a) ?? k);
  }
  for (const o of arr(r.objects)) {
    const name =
      typeof o === 'string'
        ? o
        : (((o as Loose).apiName ?? (o as Loose).object ?? (o as Loose).key) as string);
    if (!name) continue;
    const acts = arr((o as Loose).actions);
    const list = acts.length
      ? acts.map(keyOf).filter((x): x is string => !!x)
      : actionLabels.size
        ? [...actionLabels.keys()]
        : [...RECORD_ACTIONS];
    for (const a of acts) {
      const k = keyOf(a);
      if (k && !actionLabels.has(k)) actionLabels.set(k, labelOf(a) ?? k);
    }
    for (const a of list) addPerm(`${name}:${a}`, undefined, labelOf(o));
  }
  for (const a of [...arr(r.admin), ...arr(r.adminPermissions)]) {
    const k = keyOf(a);
    if (k) admin.set(k.startsWith('admin:') ? k : `admin:${k}`, labelOf(a) ?? k);
  }
  const flat = Array.isArray(raw) ? raw : arr(r.permissions).length ? arr(r.permissions) : arr(r.items);
  for (const p of flat) {
    const k = keyOf(p);
    if (k && PERM_RE.test(k)) addPerm(k, labelOf(p), (p as Loose)?.objectLabel as LocalizedLabel | undefined);
  }
  if (objects.size === 0)
    for (const o of fallbackObjects)
      for (const a of RECORD_ACTIONS) addPerm(`${o.apiName}:${a}`, undefined, o.label);
  if (admin.size === 0) for (const p of ADMIN_PERMISSIONS) admin.set(p, p);
  for (const o of fallbackObjects) {
    const existing = objects.get(o.apiName);
    if (existing && (existing.label === o.apiName || !existing.label)) existing.label = o.label;
  }
  const allActions = new Set<string>([
    ...RECORD_ACTIONS.filter((a) => [...objects.values()].some((o) => o.actions.has(a))),
  ]);
  for (const o of objects.values()) for (const a of o.actions) allActions.add(a);
  const modules = arr(r.modules).flatMap((m) => {
    const g = m as Loose;
    if (typeof g.module !== 'string') return [];
    return [
      {
        module: g.module,
        label: (g.label as LocalizedLabel) ?? g.module,
        permissions: arr(g.permissions).flatMap((p) => {
          const k = keyOf(p);
          return k
            ? [
                {
                  key: k,
                  label: labelOf(p) ?? k,
                  description: ((p as Loose).description as LocalizedLabel) ?? null,
                },
              ]
            : [];
        }),
      },
    ];
  });
  // Module groups already hold the admin permissions with labels: the flat list is the fallback.
  const inModules = new Set(modules.flatMap((m) => m.permissions.map((p) => p.key)));
  return {
    modules,
    objects: [...objects.values()].map((o) => ({
      apiName: o.apiName,
      label: o.label,
      actions: [...o.actions],
    })),
    actions: [...allActions].map((a) => ({ key: a, label: actionLabels.get(a) ?? a })),
    admin: [...admin].filter(([key]) => !inModules.has(key)).map(([key, label]) => ({ key, label })),
  };
}
