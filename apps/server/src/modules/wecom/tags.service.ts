import type { ContactTags, ContactTagsInput, CorpTagList, TagSyncResult } from '@kehu/contracts/wecom';
import { sql } from 'kysely';
import type { Actor } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Database } from '../../core/db/database.ts';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import { AppError, invalid } from '../../core/errors.ts';
import { enqueue, type JobContext } from '../../core/jobs/queue.ts';
import type { Subscriber } from '../../engine/module.ts';
import {
  createTag,
  createTagGroup,
  deleteTag,
  identitiesOfProfile,
  profileOfIdentity,
  setManualTag,
  systemViewer,
  updateTag,
  updateTagGroup,
} from '../cdp/index.ts';
import { wecomFailure } from './codes.service.ts';
import type { XmlFields } from './connector/callback-crypto.ts';
import { WeComApiError, WeComClient } from './connector/client.ts';
import { type CorpRuntime, corpRuntime, getCorp, visibleUnits } from './corps.service.ts';

/**
 * 企业客户标签 both ways (issue 10). See README "Tags": WeCom is the source of truth for tag
 * definitions (groups, names, deletion); each WeCom tag is a CDP manual profile tag (key
 * `wecom_<tag id>`) in a CDP tag group named after the WeCom group. Applying a tag to a customer
 * may happen on either side and is written to both; per (customer, tag) the later write wins
 * (`wecom_contact_tags.changed_at`: WeCom's CreateTime for its edits, Kehu's clock for Kehu's).
 */
const CODE_TAG_GROUP = '渠道活码';
const systemActor = (tenantId: string, requestId: string): Actor => ({
  tenantId,
  actorId: null,
  actorKind: 'system',
  requestId,
});

const cdpKey = (tagId: string) => `wecom_${tagId.replace(/[^\w]/g, '_')}`.slice(0, 64);

// ------------------------------------------------------------------ definitions: WeCom → Kehu

/**
 * Pulls the corp tag list and makes Kehu match it (on bind, on every change_external_tag
 * callback, on demand). Idempotent: a second run with no change in WeCom changes nothing.
 */
export async function syncCorpTags(database: Database, corp: CorpRuntime): Promise<TagSyncResult> {
  const res = await new WeComClient(database, corp).post('externalcontact/get_corp_tag_list', {});
  const groups: Array<{ group_id: string; group_name: string; tag: Array<{ id: string; name: string }> }> =
    Array.isArray(res.tag_group) ? res.tag_group : [];
  return inTenant(database.db, corp.tenantId, async (tx) => {
    // One sync per corp at a time: a callback burst must not create a CDP tag twice.
    await sql`select pg_advisory_xact_lock(hashtext(${`wecom-tags:${corp.corpRef}`}))`.execute(tx);
    const viewer = systemViewer(corp.tenantId);
    const actor = systemActor(corp.tenantId, `wecom-tags-${corp.corpRef}`);
    viewer.actor = actor;
    const known = await sql<any>`select group_id, name, cdp_group_id, deleted_at from wecom_tag_groups
      where tenant_id = ${corp.tenantId} and corp_ref = ${corp.corpRef}`.execute(tx);
    const knownGroups = new Map(known.rows.map((g) => [g.group_id as string, g]));
    const knownTags = new Map(
      (
        await sql<any>`select tag_id, name, cdp_tag_id, deleted_at from wecom_tags
          where tenant_id = ${corp.tenantId} and corp_ref = ${corp.corpRef}`.execute(tx)
      ).rows.map((t) => [t.tag_id as string, t]),
    );
    let tagCount = 0;
    const seen = new Set<string>();
    for (const g of groups) {
      let cdpGroupId: string | null = knownGroups.get(g.group_id)?.cdp_group_id ?? null;
      if (!cdpGroupId) cdpGroupId = await cdpGroupFor(tx, actor, g.group_name);
      else if (knownGroups.get(g.group_id)!.name !== g.group_name)
        await updateTagGroup(tx, actor, cdpGroupId, { name: g.group_name }).catch(() => undefined);
      await sql`insert into wecom_tag_groups (tenant_id, corp_ref, group_id, name, cdp_group_id)
        values (${corp.tenantId}, ${corp.corpRef}, ${g.group_id}, ${g.group_name}, ${cdpGroupId})
        on conflict (tenant_id, corp_ref, group_id) do update set name = excluded.name,
          cdp_group_id = excluded.cdp_group_id, deleted_at = null, synced_at = now()`.execute(tx);
      for (const t of g.tag ?? []) {
        seen.add(t.id);
        tagCount++;
        const k = knownTags.get(t.id);
        let cdpTagId: string | null = k?.cdp_tag_id ?? null;
        if (!cdpTagId) {
          const existing = (
            await sql<{
              id: string;
            }>`select id from cdp_tags where tenant_id = ${corp.tenantId} and object = 'profile' and key = ${cdpKey(t.id)}`.execute(
              tx,
            )
          ).rows[0];
          cdpTagId =
            existing?.id ??
            (
              await createTag(tx, viewer, {
                key: cdpKey(t.id),
                name: t.name,
                kind: 'manual',
                object: 'profile',
                groupId: cdpGroupId,
                description: `企业微信 ${corp.name} · ${g.group_name}`,
              })
            ).id;
        } else if (k.name !== t.name) {
          await updateTag(tx, viewer, cdpTagId, { name: t.name });
        }
        await sql`insert into wecom_tags (tenant_id, corp_ref, tag_id, group_id, name, cdp_tag_id)
          values (${corp.tenantId}, ${corp.corpRef}, ${t.id}, ${g.group_id}, ${t.name}, ${cdpTagId})
          on conflict (tenant_id, corp_ref, tag_id) do update set name = excluded.name, group_id = excluded.group_id,
            cdp_tag_id = excluded.cdp_tag_id, deleted_at = null, synced_at = now()`.execute(tx);
      }
    }
    // Gone from WeCom: the tag leaves every customer in Kehu; the CDP tag is deleted (kept, but
    // emptied, when a rule or segment uses it — deleting it would silently change them).
    let removed = 0;
    for (const [tagId, k] of knownTags) {
      if (seen.has(tagId) || k.deleted_at) continue;
      removed++;
      await sql`update wecom_tags set deleted_at = now() where tenant_id = ${corp.tenantId} and corp_ref = ${corp.corpRef} and tag_id = ${tagId}`.execute(
        tx,
      );
      await sql`delete from wecom_contact_tags where tenant_id = ${corp.tenantId} and corp_ref = ${corp.corpRef} and tag_id = ${tagId}`.execute(
        tx,
      );
      if (k.cdp_tag_id) await dropCdpTag(tx, actor, k.cdp_tag_id);
    }
    const liveGroups = new Set(groups.map((g) => g.group_id));
    for (const gid of knownGroups.keys())
      if (!liveGroups.has(gid))
        await sql`update wecom_tag_groups set deleted_at = coalesce(deleted_at, now()) where tenant_id = ${corp.tenantId}
          and corp_ref = ${corp.corpRef} and group_id = ${gid}`.execute(tx);
    return { groups: groups.length, tags: tagCount, removed };
  });
}

async function cdpGroupFor(tx: Tx, actor: Actor, name: string): Promise<string> {
  const found = (
    await sql<{
      id: string;
    }>`select id from cdp_tag_groups where tenant_id = ${actor.tenantId} and name = ${name}`.execute(tx)
  ).rows[0];
  if (found) return found.id;
  return (await createTagGroup(tx, actor, { name, description: '企业微信客户标签' })).id;
}

async function dropCdpTag(tx: Tx, actor: Actor, cdpTagId: string) {
  try {
    await sql`savepoint wecom_drop_tag`.execute(tx);
    await deleteTag(tx, actor, cdpTagId);
    await sql`release savepoint wecom_drop_tag`.execute(tx);
  } catch (err) {
    await sql`rollback to savepoint wecom_drop_tag`.execute(tx);
    if (!(err instanceof AppError)) throw err;
    const subjects = (
      await sql<{
        subject_id: string;
      }>`select subject_id from cdp_subject_tags where tenant_id = ${actor.tenantId} and tag_id = ${cdpTagId}`.execute(
        tx,
      )
    ).rows;
    for (const s of subjects) await setManualTag(tx, actor, cdpTagId, s.subject_id, false, null);
  }
}

export async function listCorpTags(tx: Tx, p: Principal, corpRef: string): Promise<CorpTagList> {
  await getCorp(tx, p, corpRef);
  const groups = await sql<any>`select group_id, name, cdp_group_id from wecom_tag_groups
    where tenant_id = ${p.tenantId} and corp_ref = ${corpRef} and deleted_at is null order by name`.execute(
    tx,
  );
  const tags = await sql<any>`select tag_id, group_id, name, cdp_tag_id from wecom_tags
    where tenant_id = ${p.tenantId} and corp_ref = ${corpRef} and deleted_at is null order by name`.execute(
    tx,
  );
  return {
    items: groups.rows.map((g) => ({
      groupId: g.group_id,
      name: g.name,
      cdpGroupId: g.cdp_group_id,
      tags: tags.rows
        .filter((t) => t.group_id === g.group_id)
        .map((t) => ({ tagId: t.tag_id, name: t.name, cdpTagId: t.cdp_tag_id })),
    })),
  };
}

// ------------------------------------------------------------------ applied tags

async function profileOf(database: Database, corp: CorpRuntime, ext: string) {
  return profileOfIdentity(database, corp.tenantId, {
    kind: 'wecom_external_userid',
    namespace: corp.corpId,
    value: ext,
  });
}

/** Makes the profile carry exactly the corp's tags the state table says are applied. */
async function applyToProfile(tx: Tx, actor: Actor, corp: CorpRuntime, ext: string, profileId: string) {
  const rows = (
    await sql<{ cdp_tag_id: string; applied: boolean }>`select t.cdp_tag_id, ct.applied
      from wecom_contact_tags ct join wecom_tags t on t.tenant_id = ct.tenant_id and t.corp_ref = ct.corp_ref
        and t.tag_id = ct.tag_id and t.deleted_at is null and t.cdp_tag_id is not null
      where ct.tenant_id = ${corp.tenantId} and ct.corp_ref = ${corp.corpRef} and ct.external_userid = ${ext}`.execute(
      tx,
    )
  ).rows;
  const has = new Set(
    (
      await sql<{ tag_id: string }>`select tag_id from cdp_subject_tags where tenant_id = ${corp.tenantId}
        and subject_id = ${profileId} and tag_id = any(${rows.map((r) => r.cdp_tag_id)}::uuid[])`.execute(tx)
    ).rows.map((r) => r.tag_id),
  );
  for (const r of rows)
    if (r.applied !== has.has(r.cdp_tag_id))
      await setManualTag(tx, actor, r.cdp_tag_id, profileId, r.applied, true);
}

/**
 * WeCom → Kehu for one customer (edit_external_contact, add): reads the follow users' corp tags
 * (a profile carries a tag when any staff member's relation has it) and records each change
 * unless Kehu wrote that (customer, tag) later. Without a profile yet, `wecom:tag-apply` applies
 * them once the CDP has resolved the customer.
 */
export async function pullContactTags(database: Database, corp: CorpRuntime, ext: string, at: Date) {
  const client = new WeComClient(database, corp);
  const res = await client.get('externalcontact/get', { external_userid: ext });
  const applied = new Set<string>();
  for (const fu of res.follow_user ?? [])
    for (const t of fu.tags ?? []) if (t.tag_id && Number(t.type ?? 1) === 1) applied.add(String(t.tag_id));
  const known = async () =>
    inTenant(database.db, corp.tenantId, async (tx) =>
      (
        await sql<{ tag_id: string }>`select tag_id from wecom_tags where tenant_id = ${corp.tenantId}
          and corp_ref = ${corp.corpRef} and deleted_at is null`.execute(tx)
      ).rows.map((r) => r.tag_id),
    );
  let tagIds = await known();
  if ([...applied].some((id) => !tagIds.includes(id))) {
    await syncCorpTags(database, corp);
    tagIds = await known();
  }
  const profileId = await profileOf(database, corp, ext);
  await inTenant(database.db, corp.tenantId, async (tx) => {
    // A new customer's profile appears when the CDP has processed the add: apply then (the job
    // retries until it resolves; the callback itself is done).
    if (!profileId)
      await enqueue(
        tx,
        corp.tenantId,
        TAG_APPLY_QUEUE,
        { corpRef: corp.corpRef, ext } satisfies TagApplyJob,
        {
          dedupeKey: `${corp.corpRef}:${ext}`,
          maxAttempts: 8,
        },
      );
    for (const id of tagIds) {
      const on = applied.has(id);
      await sql`insert into wecom_contact_tags (tenant_id, corp_ref, external_userid, tag_id, applied, changed_at, source)
        values (${corp.tenantId}, ${corp.corpRef}, ${ext}, ${id}, ${on}, ${at}, 'wecom')
        on conflict (tenant_id, corp_ref, external_userid, tag_id) do update set applied = excluded.applied,
          changed_at = excluded.changed_at, source = 'wecom'
        where wecom_contact_tags.changed_at <= excluded.changed_at and wecom_contact_tags.applied <> excluded.applied`.execute(
        tx,
      );
    }
    if (profileId)
      await applyToProfile(tx, systemActor(corp.tenantId, `wecom-tags-${ext}`), corp, ext, profileId);
  });
}

/** Jobs get the owner connection; connector calls need the `Database`. */
let tagDatabase: Database | null = null;
export const bindTagDatabase = (d: Database) => {
  tagDatabase = d;
};

export const TAG_SYNC_QUEUE = 'wecom:tag-sync';
export const enqueueTagSync = (tx: Tx, tenantId: string, corpRef: string, delayMs = 30_000) =>
  enqueue(
    tx,
    tenantId,
    TAG_SYNC_QUEUE,
    { corpRef },
    {
      dedupeKey: corpRef,
      maxAttempts: 5,
      runAt: new Date(Date.now() + delayMs),
    },
  );

/** The queued corp tag pull (after binding). */
export async function tagSyncJob(payload: { corpRef: string }, job: JobContext) {
  const database = tagDatabase ?? ({ db: job.db } as Database);
  const corp = await job.tx((tx) => corpRuntime(tx, job.tenantId, payload.corpRef));
  await syncCorpTags(database, corp);
}

export const TAG_APPLY_QUEUE = 'wecom:tag-apply';
export interface TagApplyJob {
  corpRef: string;
  ext: string;
}

/** Applies a customer's recorded corp tags to their profile once the CDP has resolved it (retried until then). */
export async function tagApplyJob(payload: TagApplyJob, job: JobContext) {
  const database = tagDatabase ?? ({ db: job.db } as Database);
  const corp = await job.tx((tx) => corpRuntime(tx, job.tenantId, payload.corpRef));
  const profileId = await profileOf(database, corp, payload.ext);
  if (!profileId) throw new Error('wecom tags: customer not resolved by the CDP yet');
  await job.tx((tx) =>
    applyToProfile(tx, systemActor(job.tenantId, `wecom-${job.jobId}`), corp, payload.ext, profileId),
  );
}

/** The edit_external_contact and add callbacks: tags are pulled, other fields stay with their owners. */
export async function contactTagsChanged(database: Database, corp: CorpRuntime, f: XmlFields) {
  if (!f.ExternalUserID) return;
  const at = new Date((Number(f.CreateTime) || Date.now() / 1000) * 1000);
  await pullContactTags(database, corp, f.ExternalUserID, at);
}

/**
 * Channel-code auto-tags: the code's tags are marked in WeCom too (in the group 渠道活码, created
 * when missing), so staff see them in WeCom's customer profile.
 */
export async function markCodeTags(database: Database, corp: CorpRuntime, f: XmlFields) {
  const ext = f.ExternalUserID;
  const userid = f.UserID;
  if (!ext || !userid || !f.State) return;
  const code = await inTenant(
    database.db,
    corp.tenantId,
    async (tx) =>
      (
        await sql<{ tags: string[] }>`select tags from wecom_channel_codes where tenant_id = ${corp.tenantId}
          and corp_ref = ${corp.corpRef} and state = ${f.State!} and deleted_at is null`.execute(tx)
      ).rows[0],
  );
  const names = (code?.tags ?? []).filter((n) => typeof n === 'string' && n.trim()).slice(0, 20);
  if (!names.length) return;
  const client = new WeComClient(database, corp);
  const list = await client.post('externalcontact/get_corp_tag_list', {});
  const group = (list.tag_group ?? []).find((g: any) => g.group_name === CODE_TAG_GROUP);
  const ids = new Map<string, string>((group?.tag ?? []).map((t: any) => [t.name, t.id]));
  const missing = names.filter((n) => !ids.has(n));
  if (missing.length) {
    const added = await client.post('externalcontact/add_corp_tag', {
      ...(group ? { group_id: group.group_id } : { group_name: CODE_TAG_GROUP }),
      tag: missing.map((name) => ({ name })),
    });
    for (const t of added.tag_group?.tag ?? []) ids.set(t.name, t.id);
    // API edits send no callback: Kehu learns the new definitions by pulling.
    await syncCorpTags(database, corp);
  }
  const tagIds = names.map((n) => ids.get(n)).filter((x): x is string => !!x);
  await client.post('externalcontact/mark_tag', { userid, external_userid: ext, add_tag: tagIds });
  const at = kehuNow();
  await inTenant(database.db, corp.tenantId, async (tx) => {
    for (const id of tagIds)
      await sql`insert into wecom_contact_tags (tenant_id, corp_ref, external_userid, tag_id, applied, changed_at, source)
        values (${corp.tenantId}, ${corp.corpRef}, ${ext}, ${id}, true, ${at}, 'kehu')
        on conflict (tenant_id, corp_ref, external_userid, tag_id) do update set applied = true, changed_at = excluded.changed_at, source = 'kehu'`.execute(
        tx,
      );
  });
}

// ------------------------------------------------------------------ Kehu → WeCom

/**
 * Kehu's writes are stamped to the second, WeCom's CreateTime resolution: a WeCom edit in the
 * same second as a Kehu write wins the tie (WeCom is where staff see the customer).
 */
const kehuNow = () => new Date(Math.floor(Date.now() / 1000) * 1000);

/**
 * A Kehu user applies or removes corp tags on a customer: marked in WeCom on every staff
 * relation the customer has there, then on the customer's profile. A later WeCom edit of the
 * same tag wins over this one, an older (delayed) one does not.
 */
export async function setContactTags(
  database: Database,
  p: Principal,
  actor: Actor,
  corpRef: string,
  ext: string,
  input: ContactTagsInput,
): Promise<ContactTags> {
  const { corp, follows, known } = await inTenant(
    database.db,
    p.tenantId,
    async (tx) => {
      await getCorp(tx, p, corpRef);
      const follows = (
        await sql<{
          userid: string;
        }>`select userid from wecom_external_contacts where tenant_id = ${p.tenantId}
          and corp_ref = ${corpRef} and external_userid = ${ext} and status = 'active'
          and unit_id = any(${visibleUnits(p)}::uuid[])`.execute(tx)
      ).rows.map((r) => r.userid);
      const known = (
        await sql<{ tag_id: string }>`select tag_id from wecom_tags where tenant_id = ${p.tenantId}
          and corp_ref = ${corpRef} and deleted_at is null`.execute(tx)
      ).rows.map((r) => r.tag_id);
      return { corp: await corpRuntime(tx, p.tenantId, corpRef), follows, known };
    },
    { readOnly: true },
  );
  // Like an unknown staff member in PUT …/staff/:userid: the corp is visible, the customer is not one of its.
  if (!follows.length) throw invalid([{ field: 'ext', code: 'option', params: { value: ext } }]);
  const errors = [
    ...input.add.flatMap((id, i) => (known.includes(id) ? [] : [{ field: `add.${i}`, code: 'option' }])),
    ...input.remove.flatMap((id, i) =>
      known.includes(id) ? [] : [{ field: `remove.${i}`, code: 'option' }],
    ),
  ];
  if (errors.length) throw invalid(errors);
  const client = new WeComClient(database, corp);
  for (const userid of follows) {
    try {
      await client.post('externalcontact/mark_tag', {
        userid,
        external_userid: ext,
        ...(input.add.length ? { add_tag: input.add } : {}),
        ...(input.remove.length ? { remove_tag: input.remove } : {}),
      });
    } catch (err) {
      // A relation WeCom no longer has (84061) is not worth failing the others for.
      if (!(err instanceof WeComApiError && err.errcode === 84061)) wecomFailure(p.locale, err);
    }
  }
  const profileId = await profileOf(database, corp, ext);
  const at = kehuNow();
  return inTenant(database.db, p.tenantId, async (tx) => {
    for (const [ids, on] of [
      [input.add, true],
      [input.remove, false],
    ] as const)
      for (const id of ids)
        await sql`insert into wecom_contact_tags (tenant_id, corp_ref, external_userid, tag_id, applied, changed_at, source)
          values (${p.tenantId}, ${corpRef}, ${ext}, ${id}, ${on}, ${at}, 'kehu')
          on conflict (tenant_id, corp_ref, external_userid, tag_id) do update set applied = excluded.applied,
            changed_at = excluded.changed_at, source = 'kehu'`.execute(tx);
    if (profileId) await applyToProfile(tx, actor, corp, ext, profileId);
    const tagIds = (
      await sql<{
        tag_id: string;
      }>`select ct.tag_id from wecom_contact_tags ct join wecom_tags t on t.tenant_id = ct.tenant_id
        and t.corp_ref = ct.corp_ref and t.tag_id = ct.tag_id and t.deleted_at is null
        where ct.tenant_id = ${p.tenantId} and ct.corp_ref = ${corpRef} and ct.external_userid = ${ext} and ct.applied
        order by ct.tag_id`.execute(tx)
    ).rows.map((r) => r.tag_id);
    return { externalUserid: ext, tagIds };
  });
}

// ------------------------------------------------------------------ CDP manual tagging → WeCom

/**
 * A WeCom-mapped tag set or cleared on a profile through the CDP (its tag pages) is marked in
 * WeCom too, on every relation the profile's customers have in that corp. Echoes of this module's
 * own writes change nothing: the (customer, tag) state already says so.
 */
export const cdpTagSubscriber: Subscriber = {
  name: 'wecom-tags-from-cdp',
  patterns: ['cdp_tag.applied', 'cdp_tag.removed'],
  handleBatch: async (events, job) => {
    const database = tagDatabase ?? ({ db: job.db } as Database);
    for (const e of events) {
      const p = e.payload as { tagId?: string; subjectId?: string; object?: string };
      if (p.object !== 'profile' || !p.tagId || !p.subjectId) continue;
      await pushCdpTag(database, e.tenantId, p.tagId, p.subjectId, e.type === 'cdp_tag.applied');
    }
  },
};

async function pushCdpTag(
  database: Database,
  tenantId: string,
  cdpTagId: string,
  profileId: string,
  on: boolean,
) {
  const mapped = await inTenant(
    database.db,
    tenantId,
    async (tx) =>
      (
        await sql<{ corp_ref: string; tag_id: string }>`select corp_ref, tag_id from wecom_tags
          where tenant_id = ${tenantId} and cdp_tag_id = ${cdpTagId} and deleted_at is null`.execute(tx)
      ).rows,
    { readOnly: true },
  );
  if (!mapped.length) return;
  const ids = await identitiesOfProfile(database, tenantId, profileId, 'wecom_external_userid');
  for (const m of mapped) {
    const corp = await inTenant(database.db, tenantId, (tx) => corpRuntime(tx, tenantId, m.corp_ref)).catch(
      () => null,
    );
    if (!corp) continue;
    for (const ext of ids.filter((i) => i.namespace === corp.corpId).map((i) => i.value)) {
      const todo = await inTenant(database.db, tenantId, async (tx) => {
        const cur = (
          await sql<{ applied: boolean }>`select applied from wecom_contact_tags where tenant_id = ${tenantId}
            and corp_ref = ${corp.corpRef} and external_userid = ${ext} and tag_id = ${m.tag_id}`.execute(tx)
        ).rows[0];
        if (cur ? cur.applied === on : !on) return null;
        return (
          await sql<{
            userid: string;
          }>`select userid from wecom_external_contacts where tenant_id = ${tenantId}
            and corp_ref = ${corp.corpRef} and external_userid = ${ext} and status = 'active'`.execute(tx)
        ).rows.map((r) => r.userid);
      });
      if (!todo) continue;
      const client = new WeComClient(database, corp);
      for (const userid of todo) {
        try {
          await client.post('externalcontact/mark_tag', {
            userid,
            external_userid: ext,
            [on ? 'add_tag' : 'remove_tag']: [m.tag_id],
          });
        } catch (err) {
          if (!(err instanceof WeComApiError && err.errcode === 84061)) throw err;
        }
      }
      const at = kehuNow();
      await inTenant(database.db, tenantId, (tx) =>
        sql`insert into wecom_contact_tags (tenant_id, corp_ref, external_userid, tag_id, applied, changed_at, source)
          values (${tenantId}, ${corp.corpRef}, ${ext}, ${m.tag_id}, ${on}, ${at}, 'kehu')
          on conflict (tenant_id, corp_ref, external_userid, tag_id) do update set applied = excluded.applied,
            changed_at = excluded.changed_at, source = 'kehu'`.execute(tx),
      );
    }
  }
}
