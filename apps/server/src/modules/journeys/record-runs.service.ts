import type { Actor } from '../../core/audit/audit.ts';
import { can, type Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { notFound } from '../../core/errors.ts';
import { getRecord, recordCtx } from '../../engine/records/record.service.ts';
import { profilesOfRecords } from '../cdp/index.ts';
import { runsOfProfiles } from './journeys.service.ts';

/** Records whose customer has a profile: the record page's journeys card shows these. */
const WITH_PROFILE = new Set(['customer', 'contact', 'opportunity', 'order', 'lead']);

/**
 * The journeys of the profile behind one record (a customer's, a contact's …): each step taken and
 * what was skipped and why (R13.1: a withdrawn consent shows here). The record is read as the viewer,
 * so a record out of scope is a 404 like any other read.
 */
export async function runsOfRecord(
  tx: Tx,
  viewer: { principal: Principal; actor: Actor },
  object: string,
  id: string,
) {
  if (!WITH_PROFILE.has(object) || !can(viewer.principal, `${object}:read`)) throw notFound(object);
  await getRecord(await recordCtx(tx, viewer.principal, viewer.actor, object), id);
  const profileId = (await profilesOfRecords(tx, viewer.principal.tenantId, object, [id])).get(id);
  return profileId ? runsOfProfiles(tx, viewer.principal, [profileId]) : [];
}
