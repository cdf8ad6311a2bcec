import type { ObjectDef } from './object-def.ts';

/** Standard objects are declared in code by their modules and registered at start-up. */
const standard = new Map<string, ObjectDef>();

export function registerStandardObject(def: ObjectDef): void {
  standard.set(def.apiName, def);
}

export const standardObjects = (): ObjectDef[] => [...standard.values()];
export const isStandardObject = (apiName: string) => standard.has(apiName);
