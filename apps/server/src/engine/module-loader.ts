import { fileURLToPath } from 'node:url';
import { setMigrationSources } from '../core/db/migrate.ts';
import { subscribe, subscribeBatch } from '../core/events/dispatcher.ts';
import type { RouteSpec } from '../core/http/route.ts';
import { registerJob } from '../core/jobs/queue.ts';
import type { DemoStep, HomeCard, ModuleManifest, PermissionDef } from './module.ts';
import { registerObjectHooks } from './records/object-hooks.ts';
import { registerOptionsLoader, registerStandardObject } from './records/standard-objects.ts';

/**
 * Installs the record engine and the module list (modules/index.ts) into the kernel and the record engine: the only
 * place that registers objects, hooks, jobs, subscribers, migrations and extension points. Runs
 * once per process; a second call with the same list is a no-op, with another list an error.
 */
let installed: readonly ModuleManifest[] | null = null;

export function loadModules(modules: readonly ModuleManifest[]): void {
  if (installed) {
    if (installed !== modules) throw new Error('loadModules: a different module list is already installed');
    return;
  }
  checkModuleList(modules);
  setMigrationSources(modules.flatMap((m) => (m.migrations ? [fileURLToPath(m.migrations)] : [])));
  const points = extensionPoints(modules);
  for (const m of modules) {
    for (const o of m.objects ?? []) registerStandardObject(o);
    for (const h of m.hooks ?? []) registerObjectHooks(h.object, h.hooks);
    for (const l of m.optionsLoaders ?? []) registerOptionsLoader(l.object, l.field, l.load);
    for (const [queue, handler] of Object.entries(m.jobs ?? {})) registerJob(queue, handler);
    for (const s of m.subscribers ?? []) {
      if ('handle' in s) subscribe(s.name, s.pattern, s.handle);
      else subscribeBatch(s.name, s.patterns, s.handleBatch);
    }
    for (const c of m.contributes ?? []) {
      points.get(c.point)!.accept(c.value);
    }
  }
  installed = modules;
}

function extensionPoints(modules: readonly ModuleManifest[]) {
  const points = new Map<string, { owner: string; accept: (v: unknown) => void }>();
  for (const m of modules) {
    for (const [point, accept] of Object.entries(m.extensionPoints ?? {})) {
      const owner = points.get(point)?.owner;
      if (owner) throw new Error(`extension point ${point} declared by ${owner} and ${m.name}`);
      points.set(point, { owner: m.name, accept });
    }
  }
  return points;
}

/** What can be checked of a list before installing it (the loader runs it; tests call it on lists of their own). */
export function checkModuleList(modules: readonly ModuleManifest[]): void {
  const seen = new Set<string>();
  const permissions = new Map<string, string>();
  for (const m of modules) {
    if (seen.has(m.name)) throw new Error(`module ${m.name} is listed twice`);
    for (const r of m.requires ?? [])
      if (!seen.has(r))
        throw new Error(`module ${m.name} requires ${r}, which must come earlier in the list`);
    for (const p of m.permissions ?? []) {
      const owner = permissions.get(p.key);
      if (owner) throw new Error(`permission ${p.key} declared by ${owner} and ${m.name}`);
      permissions.set(p.key, m.name);
    }
    seen.add(m.name);
  }
  const points = extensionPoints(modules);
  for (const m of modules)
    for (const c of m.contributes ?? [])
      if (!points.has(c.point))
        throw new Error(`module ${m.name} contributes to unknown extension point ${c.point}`);
}

function list(): readonly ModuleManifest[] {
  if (!installed) throw new Error('modules are not loaded yet (loadModules)');
  return installed;
}

export const installedModules = (): readonly ModuleManifest[] => list();

/** API routes of every module, in list order. */
export const moduleRoutes = (): RouteSpec[] => list().flatMap((m) => m.routes ?? []);

/** Module permissions with their labels, grouped by module, for the role editor. */
export function modulePermissions(): Array<{
  module: string;
  label: ModuleManifest['label'];
  permissions: PermissionDef[];
}> {
  return list()
    .filter((m) => m.permissions?.length)
    .map((m) => ({ module: m.name, label: m.label, permissions: m.permissions! }));
}

export const homeCards = (): HomeCard[] =>
  list()
    .flatMap((m) => m.homeCards ?? [])
    .sort((a, b) => a.order - b.order);

export const demoSteps = (): Array<DemoStep & { module: string }> =>
  list()
    .flatMap((m) => (m.demo ? [{ ...m.demo, module: m.name }] : []))
    .sort((a, b) => a.order - b.order);
