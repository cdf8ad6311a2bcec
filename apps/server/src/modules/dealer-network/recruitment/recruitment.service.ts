import { randomBytes } from 'node:crypto';
import { ADMIN_PERMISSIONS } from '@kehu/contracts/admin';
import {
  type Application,
  type ApplicationInput,
  DEALER_NETWORK_PERMISSIONS,
  DOCUMENT_MAX_BYTES,
  type OnboardInput,
  type StageInput,
} from '@kehu/contracts/dealer-network';
import { sql } from 'kysely';
import type { z } from 'zod';
import { type Actor, writeAudit } from '../../../core/audit/audit.ts';
import { recordChange } from '../../../core/audit/change.ts';
import { bumpAuthzVersion } from '../../../core/auth/access-loader.ts';
import { generatePassword, hashPassword } from '../../../core/auth/password.ts';
import { can, type Principal } from '../../../core/auth/principal.ts';
import type { Db } from '../../../core/db/database.ts';
import { inTenant, type Tx } from '../../../core/db/tenant-scope.ts';
import { type FieldError, invalid, notFound } from '../../../core/errors.ts';
import type { Locale } from '../../../core/i18n/locale.ts';
import { isUuid, newId } from '../../../core/ids.ts';
import { assertWithinOwnGrant, rolesGrant } from '../../admin/index.ts';
import { type Decision, submitForApproval } from '../../approvals/index.ts';
import { netProblem, nt } from '../dealer-network.messages.ts';

export const APPLICATION_OBJECT = 'dnw_application';
export const HONEYPOT = 'website';
/** First review within 48 h; a decision within 7 days of the application. */
const SLA_FIRST_REVIEW_H = 48;
const SLA_DECISION_H = 24 * 7;
/** What an applicant may want to carry (the reviewer reads it; it is not a code). */
const CATEGORIES: Record<Locale, string[]> = {
  'zh-CN': ['整车', '配件', '售后服务', '二手车'],
  'en-US': ['Vehicles', 'Parts', 'After-sales service', 'Used cars'],
};

// ------------------------------------------------------------------ the public form

/** `dr_<tenant id hex>_<random>`: the tenant is known from the key before any query runs. */
const newFormKey = (tenantId: string) =>
  `dr_${tenantId.replaceAll('-', '')}_${randomBytes(9).toString('base64url')}`;

export function tenantOfFormKey(key: string): string | null {
  const m = /^dr_([0-9a-f]{32})_[\w-]{6,40}$/.exec(key);
  if (!m) return null;
  const h = m[1]!;
  const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  return isUuid(id) ? id : null;
}

export async function getFormKey(tx: Tx, tenantId: string): Promise<string | null> {
  return (
    (
      await sql<{ form_key: string }>`select form_key from dnw_recruit_forms where tenant_id = ${tenantId}
        and enabled order by created_at desc limit 1`.execute(tx)
    ).rows[0]?.form_key ?? null
  );
}

/** A new public form key; the old one stops working (a leaked link is closed by rotating). */
export async function rotateFormKey(tx: Tx, p: Principal, actor: Actor): Promise<string> {
  await sql`update dnw_recruit_forms set enabled = false where tenant_id = ${p.tenantId}`.execute(tx);
  const key = newFormKey(p.tenantId);
  await sql`insert into dnw_recruit_forms (tenant_id, form_key, unit_id, created_by)
    values (${p.tenantId}, ${key}, ${p.unitId}, ${p.userId})`.execute(tx);
  await writeAudit(tx, actor, { action: 'dnw_form_rotate', object: 'dnw_recruit_form' });
  return key;
}

async function openForm(tx: Tx, tenantId: string, key: string, locale: Locale) {
  const f = (
    await sql<{ unit_id: string }>`select unit_id from dnw_recruit_forms where tenant_id = ${tenantId}
      and form_key = ${key} and enabled`.execute(tx)
  ).rows[0];
  if (!f) throw netProblem('not_found', locale, 'form_closed');
  return f;
}

export async function publicForm(db: Db, key: string, locale: Locale) {
  const tenantId = tenantOfFormKey(key);
  if (!tenantId) throw netProblem('not_found', locale, 'form_closed');
  return inTenant(
    db,
    tenantId,
    async (tx) => {
      await openForm(tx, tenantId, key, locale);
      const t = (await sql<{ name: string }>`select name from tenants where id = ${tenantId}`.execute(tx))
        .rows[0];
      return {
        tenantName: t?.name ?? '',
        categories: CATEGORIES[locale],
        honeypot: HONEYPOT,
        maxDocumentBytes: DOCUMENT_MAX_BYTES,
      };
    },
    { readOnly: true },
  );
}

/** By content, never by the name or the declared type. */
export function sniff(bytes: Buffer): string | null {
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  return null;
}

const MB = (n: number) => `${Math.round(n / 1024 / 1024)} MB`;

/** Decodes a base64 file and checks its type and size; a field error names the document. */
export function decodeFile(
  content: string,
  field: string,
  locale: Locale,
  allowed: string[],
  limit: number,
): { bytes: Buffer; mime: string } | FieldError {
  const clean = content.replace(/^data:[\w/+.-]+;base64,/, '');
  if (!/^[A-Za-z0-9+/=\s]*$/.test(clean))
    return { field, code: 'file_base64', message: nt(locale, 'file_base64') };
  const bytes = Buffer.from(clean, 'base64');
  if (bytes.length > limit)
    return {
      field,
      code: 'file_too_large',
      params: { limit: MB(limit) },
      message: nt(locale, 'file_too_large', { limit: MB(limit) }),
    };
  const mime = sniff(bytes);
  if (!mime || !allowed.includes(mime)) return { field, code: 'file_type', message: nt(locale, 'file_type') };
  return { bytes, mime };
}

const companyKey = (s: string) =>
  s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s()（）·.,，、-]/g, '');
const normPhone = (s: string) => s.replace(/^\+?86/, '');
const reference = () =>
  `ZS${Date.now().toString(36).toUpperCase()}${randomBytes(2).toString('hex').toUpperCase()}`;

/**
 * A prospective dealer's application from the public form. It lands at the unit that owns the
 * form (HQ) as `new`; one open application per phone and per company. A duplicate gets the same
 * 201 as a new one and stores nothing (no existing reference, no hint which field matched).
 */
export async function submitApplication(
  db: Db,
  key: string,
  input: z.infer<typeof ApplicationInput>,
  ctx: { ip: string; locale: Locale; requestId: string },
) {
  const { locale } = ctx;
  const tenantId = tenantOfFormKey(key);
  if (!tenantId) throw netProblem('not_found', locale, 'form_closed');
  const docs: { name: string; kind: string; bytes: Buffer; mime: string }[] = [];
  const errors: FieldError[] = [];
  input.documents.forEach((d, i) => {
    const r = decodeFile(
      d.content,
      `documents.${i}.content`,
      locale,
      ['application/pdf', 'image/png', 'image/jpeg'],
      DOCUMENT_MAX_BYTES,
    );
    if ('field' in r) errors.push(r);
    else docs.push({ name: d.name, kind: d.kind, ...r });
  });
  if (errors.length) throw invalid(errors);
  return inTenant(db, tenantId, async (tx) => {
    const form = await openForm(tx, tenantId, key, locale);
    const phone = normPhone(input.phone);
    const ck = companyKey(input.company);
    const dup = (
      await sql<{ reference: string; phone: string }>`select reference, phone from dnw_applications
        where tenant_id = ${tenantId} and stage not in ('rejected', 'onboarded')
          and (phone = ${phone} or company_key = ${ck}) limit 1`.execute(tx)
    ).rows[0];
    // A duplicate answers exactly like a new application (a fresh reference, stored nowhere): the
    // public form must not tell a stranger that a phone or a company has applied, nor its reference.
    if (dup) return { ok: true as const, reference: reference() };
    const id = newId();
    const ref = reference();
    await sql`insert into dnw_applications (tenant_id, id, reference, company, company_key, contact_name, phone, email,
        region, category, message, unit_id, ip)
      values (${tenantId}, ${id}, ${ref}, ${input.company}, ${ck}, ${input.contactName}, ${phone}, ${input.email ?? null},
        ${input.region}, ${input.category}, ${input.message ?? null}, ${form.unit_id}, ${ctx.ip})`.execute(
      tx,
    );
    for (const d of docs)
      await sql`insert into dnw_application_documents (tenant_id, id, application_id, name, kind, mime, size, bytes)
        values (${tenantId}, ${newId()}, ${id}, ${d.name}, ${d.kind}, ${d.mime}, ${d.bytes.length}, ${d.bytes})`.execute(
        tx,
      );
    await writeAudit(
      tx,
      { tenantId, actorId: null, actorKind: 'system', ip: ctx.ip, requestId: ctx.requestId },
      {
        action: 'create',
        object: APPLICATION_OBJECT,
        recordId: id,
        meta: { reference: ref, documents: docs.length },
      },
    );
    return { ok: true as const, reference: ref };
  });
}

// ------------------------------------------------------------------ the pipeline

const iso = (d: unknown) => (d ? new Date(d as string).toISOString() : null);

/** Applicants' contact data in full for those who handle applications; masked for read-only viewers. */
const maskPhone = (s: string) => (s.length >= 7 ? `${s.slice(0, 3)}****${s.slice(-4)}` : '****');
const maskEmail = (s: string | null) => (s ? s.replace(/^(.).*(@.*)$/, '$1***$2') : null);
const handles = (p: Principal) => can(p, DEALER_NETWORK_PERMISSIONS.recruit);

function toApplication(r: any, full: boolean, documents: any[] = [], notes: any[] = []): Application {
  const end = r.closed_at ? new Date(r.closed_at).getTime() : Date.now();
  const ageHours = Math.max(0, Math.floor((end - new Date(r.created_at).getTime()) / 3_600_000));
  const open = !['rejected', 'onboarded'].includes(r.stage);
  const overdue =
    open &&
    (r.stage === 'new' ? ageHours > SLA_FIRST_REVIEW_H : ageHours > SLA_DECISION_H && r.stage !== 'contract');
  return {
    id: r.id,
    reference: r.reference,
    company: r.company,
    contactName: r.contact_name,
    phone: full ? r.phone : maskPhone(r.phone),
    email: full ? r.email : maskEmail(r.email),
    region: r.region,
    category: r.category,
    message: r.message,
    stage: r.stage,
    unitId: r.unit_id,
    unitName: r.unit_name ?? null,
    contractNo: r.contract_no,
    rejectReason: r.reject_reason,
    dealerUnitId: r.dealer_unit_id,
    dealerUserId: r.dealer_user_id,
    ageHours,
    overdue,
    createdAt: iso(r.created_at)!,
    version: r.version,
    documents: documents.map((d) => ({ id: d.id, name: d.name, kind: d.kind, mime: d.mime, size: d.size })),
    notes: notes.map((n) => ({
      id: n.id,
      text: n.text,
      authorName: n.author_name,
      createdAt: iso(n.created_at)!,
    })),
  };
}

/** Applications at the caller's units (HQ sees all it received; a branch what was handed to it). */
export async function listApplications(tx: Tx, p: Principal, stage?: string) {
  const rows = (
    await sql<any>`select a.*, u.name as unit_name from dnw_applications a
      left join units u on u.tenant_id = a.tenant_id and u.id = a.unit_id
      where a.tenant_id = ${p.tenantId} and a.unit_id = any(${p.subtreeUnitIds}::uuid[])
        and (${stage ?? null}::text is null or a.stage = ${stage ?? null})
      order by a.created_at desc limit 500`.execute(tx)
  ).rows;
  return { items: rows.map((r) => toApplication(r, handles(p))) };
}

async function loadApplication(tx: Tx, p: Principal, id: string, lock = false) {
  const r = (
    await sql<any>`select a.*, u.name as unit_name from dnw_applications a
      left join units u on u.tenant_id = a.tenant_id and u.id = a.unit_id
      where a.tenant_id = ${p.tenantId} and a.id = ${id} ${lock ? sql`for update of a` : sql``}`.execute(tx)
  ).rows[0];
  if (!r || !p.subtreeUnitIds.includes(r.unit_id)) throw notFound(APPLICATION_OBJECT);
  return r;
}

export async function getApplication(tx: Tx, p: Principal, id: string): Promise<Application> {
  const r = await loadApplication(tx, p, id);
  const docs = (
    await sql<any>`select id, name, kind, mime, size from dnw_application_documents
      where tenant_id = ${p.tenantId} and application_id = ${id} order by created_at, id`.execute(tx)
  ).rows;
  const notes = (
    await sql<any>`select n.id, n.text, n.created_at, us.name as author_name from dnw_application_notes n
      left join users us on us.tenant_id = n.tenant_id and us.id = n.author_id
      where n.tenant_id = ${p.tenantId} and n.application_id = ${id} order by n.created_at, n.id`.execute(tx)
  ).rows;
  return toApplication(r, handles(p), docs, notes);
}

export async function documentFile(tx: Tx, p: Principal, id: string) {
  const d = (
    await sql<any>`select d.*, a.unit_id from dnw_application_documents d
      join dnw_applications a on a.tenant_id = d.tenant_id and a.id = d.application_id
      where d.tenant_id = ${p.tenantId} and d.id = ${id}`.execute(tx)
  ).rows[0];
  if (!d || !p.subtreeUnitIds.includes(d.unit_id)) throw notFound('dnw_document');
  return { bytes: Buffer.from(d.bytes), mime: d.mime as string, name: d.name as string };
}

export async function addNote(tx: Tx, p: Principal, actor: Actor, id: string, text: string) {
  await loadApplication(tx, p, id);
  const noteId = newId();
  await sql`insert into dnw_application_notes (tenant_id, id, application_id, text, author_id)
    values (${p.tenantId}, ${noteId}, ${id}, ${text}, ${p.userId})`.execute(tx);
  await writeAudit(tx, actor, { action: 'dnw_note', object: APPLICATION_OBJECT, recordId: id });
  return getApplication(tx, p, id);
}

function checkVersion(locale: Locale, cur: any, version: number) {
  if (cur.version !== version)
    throw netProblem('conflict', locale, 'version_conflict', { current: cur.version }, [
      { field: 'version', code: 'stale', message: nt(locale, 'version_conflict', { current: cur.version }) },
    ]);
}
const badStage = (locale: Locale, stage: string) =>
  netProblem('conflict', locale, 'bad_stage', { stage: nt(locale, `stage_${stage}`) });

const ALLOWED: Record<string, string[]> = {
  reviewing: ['new', 'reviewing'],
  rejected: ['new', 'reviewing', 'qualified', 'contract'],
  contract: ['qualified'],
};

/** new → reviewing (optionally handed to a branch) → … ; reject at any open stage; qualified → contract. */
export async function changeStage(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  id: string,
  input: z.infer<typeof StageInput>,
) {
  const cur = await loadApplication(tx, p, id, true);
  checkVersion(locale, cur, input.version);
  if (!ALLOWED[input.to]!.includes(cur.stage)) throw badStage(locale, cur.stage);
  let unitId = cur.unit_id;
  if (input.to === 'reviewing' && input.unitId) {
    if (!p.subtreeUnitIds.includes(input.unitId))
      throw invalid([{ field: 'unitId', code: 'unit_outside', message: nt(locale, 'unit_outside') }]);
    unitId = input.unitId;
  }
  await sql`update dnw_applications set stage = ${input.to}, unit_id = ${unitId},
      reject_reason = ${input.to === 'rejected' ? (input.reason ?? null) : cur.reject_reason},
      contract_no = ${input.to === 'contract' ? (input.contractNo ?? null) : cur.contract_no},
      closed_at = ${input.to === 'rejected' ? sql`now()` : sql`null`},
      stage_at = now(), version = version + 1, updated_at = now()
    where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
  await writeAudit(tx, actor, {
    action: 'dnw_stage',
    object: APPLICATION_OBJECT,
    recordId: id,
    changes: [
      { field: 'stage', from: cur.stage, to: input.to },
      ...(unitId !== cur.unit_id ? [{ field: 'unitId', from: cur.unit_id, to: unitId }] : []),
    ],
    meta: input.reason ? { reason: input.reason } : undefined,
  });
  // Handing it to a branch the caller does not see into would make it vanish: fine, it is theirs now.
  return getApplication(tx, { ...p, subtreeUnitIds: [...p.subtreeUnitIds, unitId] }, id);
}

/** reviewing → approval (approvals engine, object dnw_application) → qualified / rejected. */
export async function requestApproval(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  id: string,
  version: number,
) {
  const cur = await loadApplication(tx, p, id, true);
  checkVersion(locale, cur, version);
  if (cur.stage !== 'reviewing') throw badStage(locale, cur.stage);
  const request = await submitForApproval(
    tx,
    p,
    actor,
    {
      object: APPLICATION_OBJECT,
      recordId: id,
      recordName: `${cur.reference} ${cur.company}`,
      unitId: cur.unit_id,
      facts: { category: cur.category, region: cur.region },
      summary: { company: cur.company, region: cur.region, category: cur.category },
    },
    locale,
  );
  await sql`update dnw_applications set stage = ${request ? 'pending_approval' : 'qualified'}, stage_at = now(),
      version = version + 1, updated_at = now() where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
  await writeAudit(tx, actor, {
    action: 'dnw_stage',
    object: APPLICATION_OBJECT,
    recordId: id,
    changes: [{ field: 'stage', from: cur.stage, to: request ? 'pending_approval' : 'qualified' }],
  });
  return getApplication(tx, p, id);
}

export async function onApplicationDecision(
  tx: Tx,
  principal: Principal,
  _actor: Actor,
  recordId: string,
  decision: Decision,
) {
  const t = principal.tenantId;
  const cur = (
    await sql<any>`select stage from dnw_applications where tenant_id = ${t} and id = ${recordId} for update`.execute(
      tx,
    )
  ).rows[0];
  if (cur?.stage !== 'pending_approval' || decision === 'submitted') return;
  const to = decision === 'approved' ? 'qualified' : decision === 'rejected' ? 'rejected' : 'reviewing';
  await sql`update dnw_applications set stage = ${to}, stage_at = now(), version = version + 1, updated_at = now(),
      closed_at = ${to === 'rejected' ? sql`now()` : sql`null`}
    where tenant_id = ${t} and id = ${recordId}`.execute(tx);
}

/**
 * 开户: the dealer unit under the chosen branch and its admin user, in one transaction. Only for
 * someone who manages units and users and sees the branch, and the role given must be within
 * what the onboarder holds at that unit (nobody grants rights they do not hold). A repeat of an
 * onboarding that happened answers with what it created (no second unit, no second user).
 */
export async function onboard(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  id: string,
  input: z.infer<typeof OnboardInput>,
) {
  const cur = await loadApplication(tx, p, id, true);
  if (!can(p, ADMIN_PERMISSIONS.units) || !can(p, ADMIN_PERMISSIONS.users))
    throw netProblem('forbidden', locale, 'onboard_rights');
  // A branch outside the caller's units is answered like one that does not exist.
  if (!p.subtreeUnitIds.includes(input.branchUnitId))
    throw invalid([{ field: 'branchUnitId', code: 'unit_outside', message: nt(locale, 'unit_outside') }]);
  if (cur.stage === 'onboarded')
    return {
      application: await getApplication(tx, p, id),
      dealerUnitId: cur.dealer_unit_id,
      dealerUserId: cur.dealer_user_id,
    };
  checkVersion(locale, cur, input.version);
  if (!['qualified', 'contract'].includes(cur.stage)) throw badStage(locale, cur.stage);
  const branch = (
    await sql<any>`select id, path, depth, type from units where tenant_id = ${p.tenantId} and id = ${input.branchUnitId}
      and deleted_at is null`.execute(tx)
  ).rows[0];
  if (!branch) throw invalid([{ field: 'branchUnitId', code: 'lookup_missing' }]);
  if (!['region', 'hq'].includes(branch.type))
    throw invalid([{ field: 'branchUnitId', code: 'branch_type', message: nt(locale, 'branch_type') }]);
  const role = (
    await sql<any>`select id from roles where tenant_id = ${p.tenantId} and id = ${input.roleId}`.execute(tx)
  ).rows[0];
  if (!role) throw invalid([{ field: 'roleId', code: 'lookup_missing' }]);
  const unitId = newId();
  // The new unit sits under a branch the onboarder sees, so it is within their reach too.
  await assertWithinOwnGrant(
    tx,
    { ...p, subtreeUnitIds: [...p.subtreeUnitIds, unitId] },
    locale,
    await rolesGrant(tx, p.tenantId, [input.roleId]),
    'grant.exceeds',
    unitId,
  );
  const taken = (
    await sql`select 1 from users where tenant_id = ${p.tenantId} and lower(login) = ${input.adminLogin.toLowerCase()}`.execute(
      tx,
    )
  ).rows[0];
  if (taken)
    throw netProblem('conflict', locale, 'login_taken', { login: input.adminLogin }, [
      {
        field: 'adminLogin',
        code: 'unique',
        message: nt(locale, 'login_taken', { login: input.adminLogin }),
      },
    ]);
  if (input.unitCode) {
    const codeTaken = (
      await sql`select 1 from units where tenant_id = ${p.tenantId} and code = ${input.unitCode} and deleted_at is null`.execute(
        tx,
      )
    ).rows[0];
    if (codeTaken) throw invalid([{ field: 'unitCode', code: 'unique' }]);
  }
  const unitName = input.unitName ?? cur.company;
  await sql`insert into units (tenant_id, id, parent_id, name, type, code, path, depth, sort)
    values (${p.tenantId}, ${unitId}, ${branch.id}, ${unitName}, 'dealer', ${input.unitCode || null},
      ${`${branch.path}${unitId}/`}, ${branch.depth + 1}, 0)`.execute(tx);
  await recordChange(tx, actor, 'unit.created', {
    action: 'create',
    object: 'unit',
    recordId: unitId,
    changes: [
      { field: 'name', from: null, to: unitName },
      { field: 'type', from: null, to: 'dealer' },
      { field: 'parentId', from: null, to: branch.id },
    ],
    meta: { application: cur.reference },
  });
  const userId = newId();
  const password = generatePassword();
  await sql`insert into users (tenant_id, id, login, name, email, phone, unit_id, password_hash, locale)
    values (${p.tenantId}, ${userId}, ${input.adminLogin}, ${input.adminName ?? cur.contact_name}, ${cur.email},
      ${cur.phone}, ${unitId}, ${await hashPassword(password)}, 'zh-CN')`.execute(tx);
  await sql`insert into user_roles (tenant_id, user_id, role_id) values (${p.tenantId}, ${userId}, ${input.roleId})`.execute(
    tx,
  );
  await recordChange(tx, actor, 'user.created', {
    action: 'create',
    object: 'user',
    recordId: userId,
    meta: { login: input.adminLogin, unitId, roleIds: [input.roleId], application: cur.reference },
  });
  await bumpAuthzVersion(tx, p.tenantId);
  await sql`update dnw_applications set stage = 'onboarded', dealer_unit_id = ${unitId}, dealer_user_id = ${userId},
      closed_at = now(), stage_at = now(), version = version + 1, updated_at = now()
    where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
  await writeAudit(tx, actor, {
    action: 'dnw_onboard',
    object: APPLICATION_OBJECT,
    recordId: id,
    meta: { dealerUnitId: unitId, dealerUserId: userId, branchUnitId: branch.id, roleId: input.roleId },
  });
  return {
    application: await getApplication(tx, p, id),
    dealerUnitId: unitId,
    dealerUserId: userId,
    password,
  };
}
