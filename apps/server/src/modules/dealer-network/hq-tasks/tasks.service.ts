import { type CompleteInput, PHOTO_MAX_BYTES, type TaskInput } from '@kehu/contracts/dealer-network';
import { sql } from 'kysely';
import type { z } from 'zod';
import { type Actor, writeAudit } from '../../../core/audit/audit.ts';
import type { Principal } from '../../../core/auth/principal.ts';
import type { Tx } from '../../../core/db/tenant-scope.ts';
import { invalid, notFound } from '../../../core/errors.ts';
import type { Locale } from '../../../core/i18n/locale.ts';
import { newId } from '../../../core/ids.ts';
import { notify } from '../../notifications/index.ts';
import { netProblem, nt } from '../dealer-network.messages.ts';
import { decodeFile } from '../recruitment/recruitment.service.ts';

export const TASK_OBJECT = 'dnw_task';
const iso = (d: unknown) => (d ? new Date(d as string).toISOString() : null);

/**
 * HQ (or a branch) pushes a task, campaign or material to units below it: every unit of the
 * chosen types in the chosen subtrees gets its own target row (a snapshot: a unit created later
 * is not retro-fitted). Roots outside the caller's units are 404, as if they did not exist.
 */
export async function createTask(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  input: z.infer<typeof TaskInput>,
) {
  if (new Date(input.dueAt).getTime() < Date.now() - 60_000)
    throw invalid([{ field: 'dueAt', code: 'due_past', message: nt(locale, 'due_past') }]);
  // `/\evil.com` is `//evil.com` to a browser: a path on this site starts with one slash and no backslash.
  if (input.link && !/^(\/(?![/\\])|https:\/\/)/.test(input.link))
    throw invalid([{ field: 'link', code: 'link_format', message: nt(locale, 'link_format') }]);
  for (const root of input.targetRootIds) if (!p.subtreeUnitIds.includes(root)) throw notFound('unit');
  const roots = (
    await sql<{ path: string }>`select path from units where tenant_id = ${p.tenantId}
      and id = any(${input.targetRootIds}::uuid[]) and deleted_at is null`.execute(tx)
  ).rows;
  if (roots.length !== new Set(input.targetRootIds).size) throw notFound('unit');
  const targets = (
    await sql<{ id: string }>`select id from units where tenant_id = ${p.tenantId} and deleted_at is null
      and type = any(${input.unitTypes}::text[]) and id = any(${p.subtreeUnitIds}::uuid[])
      and (${sql.join(
        roots.map((r) => sql`path like ${`${r.path}%`}`),
        sql` or `,
      )})`.execute(tx)
  ).rows;
  if (!targets.length)
    throw invalid([
      { field: 'targetRootIds', code: 'task_no_targets', message: nt(locale, 'task_no_targets') },
    ]);
  const id = newId();
  await sql`insert into dnw_tasks (tenant_id, id, title, body, kind, link, due_at, proof, unit_id, target_root_ids,
      unit_types, created_by)
    values (${p.tenantId}, ${id}, ${input.title}, ${input.body ?? null}, ${input.kind}, ${input.link ?? null},
      ${input.dueAt}, ${input.proof}, ${p.unitId}, ${JSON.stringify(input.targetRootIds)}::jsonb,
      ${JSON.stringify(input.unitTypes)}::jsonb, ${p.userId})`.execute(tx);
  await sql`insert into dnw_task_targets (tenant_id, id, task_id, unit_id)
    values ${sql.join(targets.map((t) => sql`(${p.tenantId}, ${newId()}, ${id}, ${t.id})`))}`.execute(tx);
  await writeAudit(tx, actor, {
    action: 'create',
    object: TASK_OBJECT,
    recordId: id,
    meta: { title: input.title, targets: targets.length },
  });
  await remindUsers(
    tx,
    p.tenantId,
    id,
    input.title,
    input.dueAt,
    targets.map((t) => t.id),
    'task_new',
  );
  return getTask(tx, p, id);
}

const summary = (r: any) => ({
  id: r.id,
  title: r.title,
  body: r.body,
  kind: r.kind,
  link: r.link,
  dueAt: iso(r.due_at)!,
  proof: r.proof,
  unitId: r.unit_id,
  unitName: r.unit_name ?? null,
  targets: Number(r.targets ?? 0),
  done: Number(r.done ?? 0),
  overdue: Number(r.overdue ?? 0),
  createdAt: iso(r.created_at)!,
});

const taskSelect = (tenantId: string) => sql`select t.*, u.name as unit_name,
    (select count(*) from dnw_task_targets x where x.tenant_id = t.tenant_id and x.task_id = t.id) as targets,
    (select count(*) from dnw_task_targets x where x.tenant_id = t.tenant_id and x.task_id = t.id and x.status = 'done') as done,
    (select count(*) from dnw_task_targets x where x.tenant_id = t.tenant_id and x.task_id = t.id and x.status = 'open'
      and t.due_at < now()) as overdue
  from dnw_tasks t left join units u on u.tenant_id = t.tenant_id and u.id = t.unit_id
  where t.tenant_id = ${tenantId}`;

/** Tasks issued by the caller's units (HQ sees its own and its branches'). */
export async function listTasks(tx: Tx, p: Principal) {
  const rows = (
    await sql<any>`${taskSelect(p.tenantId)} and t.unit_id = any(${p.subtreeUnitIds}::uuid[])
      order by t.created_at desc limit 200`.execute(tx)
  ).rows;
  return { items: rows.map(summary) };
}

const target = (r: any, dueAt: unknown) => ({
  id: r.id,
  unitId: r.unit_id,
  unitName: r.unit_name,
  unitType: r.unit_type,
  status: r.status,
  overdue: r.status === 'open' && new Date(dueAt as string).getTime() < Date.now(),
  completedAt: iso(r.completed_at),
  completedByName: r.completed_by_name ?? null,
  proofText: r.proof_text ?? (r.proof_checked ? '✓' : null),
  hasPhoto: Boolean(r.has_photo),
  remindedAt: iso(r.reminded_at),
  version: r.version,
});

const targetSelect = sql`select x.tenant_id, x.id, x.task_id, x.unit_id, x.status, x.completed_at, x.proof_text, x.proof_checked, x.reminded_at,
    x.version, x.photo is not null as has_photo, u.name as unit_name, u.type as unit_type, u.path, cu.name as completed_by_name
  from dnw_task_targets x
  join units u on u.tenant_id = x.tenant_id and u.id = x.unit_id
  left join users cu on cu.tenant_id = x.tenant_id and cu.id = x.completed_by`;

async function loadTask(tx: Tx, p: Principal, id: string) {
  const r = (await sql<any>`${taskSelect(p.tenantId)} and t.id = ${id}`.execute(tx)).rows[0];
  if (!r || !p.subtreeUnitIds.includes(r.unit_id)) throw notFound(TASK_OBJECT);
  return r;
}

/** Completion by unit: one row per target unit, overdue flagged. */
export async function getTask(tx: Tx, p: Principal, id: string) {
  const r = await loadTask(tx, p, id);
  const rows = (
    await sql<any>`${targetSelect} where x.tenant_id = ${p.tenantId} and x.task_id = ${id} order by u.path`.execute(
      tx,
    )
  ).rows;
  return { ...summary(r), targetUnits: rows.map((x) => target(x, r.due_at)) };
}

async function remindUsers(
  tx: Tx,
  tenantId: string,
  taskId: string,
  title: string,
  dueAt: string,
  unitIds: string[],
  kind: 'task_new' | 'task_reminder',
) {
  if (!unitIds.length) return 0;
  const users = (
    await sql<{ id: string }>`select id from users where tenant_id = ${tenantId} and status = 'active'
      and unit_id = any(${unitIds}::uuid[])`.execute(tx)
  ).rows;
  const due = new Date(dueAt).toISOString().slice(0, 16).replace('T', ' ');
  await notify(tx, tenantId, {
    userIds: users.map((u) => u.id),
    kind: `dealer_network.${kind}`,
    title: {
      'zh-CN': nt('zh-CN', 'remind_title', { title }),
      'en-US': nt('en-US', 'remind_title', { title }),
    },
    body: { 'zh-CN': nt('zh-CN', 'remind_body', { due }), 'en-US': nt('en-US', 'remind_body', { due }) },
    link: '/unit-tasks',
    object: TASK_OBJECT,
    recordId: taskId,
  });
  return users.length;
}

/** Reminds the people of every unit that has not completed the task yet (once per call). */
export async function remindOpen(tx: Tx, p: Principal, actor: Actor, id: string) {
  const r = await loadTask(tx, p, id);
  const open = (
    await sql<{ unit_id: string }>`update dnw_task_targets set reminded_at = now()
      where tenant_id = ${p.tenantId} and task_id = ${id} and status = 'open' returning unit_id`.execute(tx)
  ).rows;
  const n = await remindUsers(
    tx,
    p.tenantId,
    id,
    r.title,
    r.due_at,
    open.map((o) => o.unit_id),
    'task_reminder',
  );
  await writeAudit(tx, actor, {
    action: 'dnw_task_remind',
    object: TASK_OBJECT,
    recordId: id,
    meta: { units: open.length },
  });
  return { reminded: n };
}

/** The tasks targeted at the caller's own unit (never a sibling's, never a parent's). */
export async function listUnitTasks(tx: Tx, p: Principal, status: 'open' | 'done' | 'all') {
  return { items: await unitTasks(tx, p.tenantId, p.unitId, status) };
}

async function unitTasks(
  tx: Tx,
  tenantId: string,
  unitId: string,
  status: 'open' | 'done' | 'all',
  only?: string,
) {
  const rows = (
    await sql<any>`select t.id as task_id, t.title, t.body, t.kind, t.link, t.due_at, t.proof, t.unit_id as task_unit_id,
        t.created_at as task_created_at, tu.name as task_unit_name, x.*
      from (${targetSelect}) x
      join dnw_tasks t on t.tenant_id = ${tenantId} and t.id = x.task_id
      left join units tu on tu.tenant_id = t.tenant_id and tu.id = t.unit_id
      where x.tenant_id = ${tenantId} and x.unit_id = ${unitId} and (${status} = 'all' or x.status = ${status})
        and (${only ?? null}::uuid is null or x.id = ${only ?? null}::uuid)
      order by x.status = 'done', t.due_at limit 200`.execute(tx)
  ).rows;
  return rows.map((r) => ({
    id: r.task_id,
    title: r.title,
    body: r.body,
    kind: r.kind,
    link: r.link,
    dueAt: iso(r.due_at)!,
    proof: r.proof,
    unitId: r.task_unit_id,
    unitName: r.task_unit_name ?? null,
    createdAt: iso(r.task_created_at)!,
    target: target(r, r.due_at),
  }));
}

/** For the field-sales visit flow: what a store (or dealer) still has to do for HQ. */
export async function listOpenUnitTasks(tx: Tx, tenantId: string, unitId: string) {
  return unitTasks(tx, tenantId, unitId, 'open');
}

/** The unit's people complete its target with the proof the task asks for (version-checked). */
export async function completeTarget(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  targetId: string,
  input: z.infer<typeof CompleteInput>,
) {
  return completeFor(tx, p, actor, locale, p.unitId, targetId, input);
}

/**
 * For the field-sales visit flow: a rep completes a task of the store being visited, acting for
 * that unit (the caller decides who may — field-sales: the rep of an in-progress visit holding
 * `dealer_network:tasks_work`). The unit must be in the caller's tree; the same proof and version
 * rules as the unit's own completion apply, and the rep is recorded as who completed it.
 */
export async function completeUnitTarget(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  unitId: string,
  targetId: string,
  input: z.infer<typeof CompleteInput>,
) {
  if (!p.subtreeUnitIds.includes(unitId)) throw notFound('dnw_task_target');
  return completeFor(tx, p, actor, locale, unitId, targetId, input);
}

async function completeFor(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  unitId: string,
  targetId: string,
  input: z.infer<typeof CompleteInput>,
) {
  const cur = (
    await sql<any>`select x.*, t.proof from dnw_task_targets x join dnw_tasks t on t.tenant_id = x.tenant_id and t.id = x.task_id
      where x.tenant_id = ${p.tenantId} and x.id = ${targetId} for update of x`.execute(tx)
  ).rows[0];
  if (!cur || cur.unit_id !== unitId) throw notFound('dnw_task_target');
  if (cur.version !== input.version)
    throw netProblem('conflict', locale, 'version_conflict', { current: cur.version }, [
      { field: 'version', code: 'stale', message: nt(locale, 'version_conflict', { current: cur.version }) },
    ]);
  if (cur.status === 'done') throw netProblem('conflict', locale, 'task_done');
  const need = (field: string) =>
    invalid([
      {
        field,
        code: 'required',
        message: nt(locale, 'proof_required', { proof: nt(locale, `proof_${cur.proof}`) }),
      },
    ]);
  let photo: { bytes: Buffer; mime: string } | null = null;
  if (cur.proof === 'text' && !input.text) throw need('text');
  if (cur.proof === 'checkbox' && input.checked !== true) throw need('checked');
  if (cur.proof === 'photo') {
    if (!input.photo) throw need('photo');
    const r = decodeFile(input.photo, 'photo', locale, ['image/png', 'image/jpeg'], PHOTO_MAX_BYTES);
    if ('field' in r) throw invalid([r]);
    photo = r;
  }
  await sql`update dnw_task_targets set status = 'done', completed_at = now(), completed_by = ${p.userId},
      proof_text = ${input.text ?? null}, proof_checked = ${input.checked ?? null},
      photo = ${photo?.bytes ?? null}, photo_mime = ${photo?.mime ?? null}, version = version + 1
    where tenant_id = ${p.tenantId} and id = ${targetId}`.execute(tx);
  await writeAudit(tx, actor, {
    action: 'dnw_task_complete',
    object: TASK_OBJECT,
    recordId: cur.task_id,
    meta: { targetId, unitId: cur.unit_id },
  });
  const [t] = await unitTasks(tx, p.tenantId, unitId, 'all', targetId);
  return t!;
}

/** The proof photo: for the unit itself and for whoever issued the task. */
export async function targetPhoto(tx: Tx, p: Principal, targetId: string) {
  const r = (
    await sql<any>`select x.unit_id, x.photo, x.photo_mime, t.unit_id as task_unit_id from dnw_task_targets x
      join dnw_tasks t on t.tenant_id = x.tenant_id and t.id = x.task_id
      where x.tenant_id = ${p.tenantId} and x.id = ${targetId}`.execute(tx)
  ).rows[0];
  if (!r || !(r.unit_id === p.unitId || p.subtreeUnitIds.includes(r.task_unit_id)) || !r.photo)
    throw notFound('dnw_task_target');
  return { bytes: Buffer.from(r.photo), mime: r.photo_mime as string };
}
