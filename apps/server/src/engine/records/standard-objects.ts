import type { Tx } from '../../core/db/tenant-scope.ts';
import type { PicklistOption } from './field-types.ts';
import type { ObjectDef } from './object-def.ts';

/** Standard objects are declared in code by their modules and registered at start-up. */
const standard = new Map<string, ObjectDef>();

export function registerStandardObject(def: ObjectDef): void {
  standard.set(def.apiName, def);
}

export const standardObjects = (): ObjectDef[] => [...standard.values()];
export const isStandardObject = (apiName: string) => standard.has(apiName);

/**
 * Per-tenant picklist options for a standard field whose values are tenant configuration
 * (an opportunity's stages come from the tenant's pipelines). Called when the tenant's
 * metadata is (re)loaded; the owning module bumps the tenant's authz_version on change.
 */
export type OptionsLoader = (tx: Tx, tenantId: string) => Promise<PicklistOption[] | null>;
const optionsLoaders = new Map<string, OptionsLoader>();
export function registerOptionsLoader(object: string, field: string, loader: OptionsLoader): void {
  optionsLoaders.set(`${object}.${field}`, loader);
}
export const optionsLoaderFor = (object: string, field: string) => optionsLoaders.get(`${object}.${field}`);
