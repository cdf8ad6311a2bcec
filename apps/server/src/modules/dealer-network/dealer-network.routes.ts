import {
  Application,
  ApplicationInput,
  ApplicationList,
  ApplicationQuery,
  ApplicationReceived,
  CompleteInput,
  DEALER_NETWORK_PERMISSIONS,
  ErpPaymentInput,
  ErpReceipt,
  ErpShipmentInput,
  ErpShipmentList,
  ErpStockInput,
  FormKeyParam,
  NoteInput,
  Onboarded,
  OnboardInput,
  PublicApplicationForm,
  RecruitmentForm,
  Reminded,
  StageInput,
  TaskDetail,
  TaskInput,
  TaskList,
  UnitTask,
  UnitTaskList,
  UnitTaskQuery,
  VersionBody,
} from '@kehu/contracts/dealer-network';
import { RateLimiter } from '../../core/auth/rate-limit.ts';
import { rateLimited } from '../../core/errors.ts';
import { defineRoute, idParam, type RouteSpec } from '../../core/http/route.ts';
import { contentDisposition } from '../../engine/records/export/cells.ts';
import { erpPayment, erpShipment, erpStock, shipmentsOf } from './erp/erp.service.ts';
import {
  completeTarget,
  createTask,
  getTask,
  listTasks,
  listUnitTasks,
  remindOpen,
  targetPhoto,
} from './hq-tasks/tasks.service.ts';
import {
  addNote,
  changeStage,
  documentFile,
  getApplication,
  getFormKey,
  HONEYPOT,
  listApplications,
  onboard,
  publicForm,
  requestApproval,
  rotateFormKey,
  submitApplication,
} from './recruitment/recruitment.service.ts';

const P = DEALER_NETWORK_PERMISSIONS;
const tags = ['dealer-network'];
/** Per address and form: a person applies once or twice, a script many times. */
const applyLimiter = new RateLimiter(Number(process.env.DEALER_APPLY_RATE_LIMIT ?? 5), 60 * 60_000);

/**
 * The limiter's key for an address: an IPv6 client owns a whole /64 (it can pick any address in
 * it), so it counts as one; IPv4 (and IPv4-mapped IPv6) as is.
 */
export function addressKey(ip: string): string {
  const v4 = /^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (v4) return v4[1]!;
  if (!ip.includes(':')) return ip;
  const [head = '', tail = ''] = ip.split('%')[0]!.toLowerCase().split('::');
  const h = head ? head.split(':') : [];
  const t = ip.includes('::') && tail ? tail.split(':') : [];
  const full = ip.includes('::') ? [...h, ...Array(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t] : h;
  return `${full
    .slice(0, 4)
    .map((x) => Number.parseInt(x || '0', 16).toString(16))
    .join(':')}::/64`;
}

/**
 * A form takes at most this many applications a day (China day), whoever sends them: spread over
 * many addresses a script still cannot flood the pipeline. Per process, like the address limit.
 */
const formDay = new Map<string, { day: string; count: number }>();
function formDailyCap(formKey: string, now = Date.now()) {
  const cap = Number(process.env.DEALER_APPLY_FORM_DAILY_CAP ?? 200);
  const day = new Date(now + 8 * 3_600_000).toISOString().slice(0, 10);
  let w = formDay.get(formKey);
  if (!w || w.day !== day) {
    if (formDay.size > 10_000) formDay.clear();
    w = { day, count: 0 };
    formDay.set(formKey, w);
  }
  if (++w.count > cap) {
    const midnight = Date.parse(`${day}T00:00:00+08:00`) + 24 * 3_600_000;
    throw rateLimited(Math.max(1, Math.ceil((midnight - now) / 1000)));
  }
}
const probeApp = { params: { id: 'dnw_application' } };
const probeTask = { params: { id: 'dnw_task' } };
const probeTarget = { params: { id: 'dnw_task_target' } };

const formUrl = (key: string) => `/join/${key}`;

export const dealerNetworkRoutes: RouteSpec[] = [
  // ---------------------------------------------------------------- public 招商 form
  defineRoute({
    method: 'GET',
    url: '/public/dealer-applications/:formKey',
    permission: 'public',
    summary: 'Public: what the dealer application form needs (tenant name, categories, honeypot, file limit)',
    tags,
    params: FormKeyParam,
    response: PublicApplicationForm,
    handler: (req) => publicForm(req.database.db, req.params.formKey, req.locale),
  }),
  defineRoute({
    method: 'POST',
    url: '/public/dealer-applications/:formKey',
    permission: 'public',
    summary:
      'Public: a prospective dealer applies (honeypot, per-address limit; documents base64, PDF/PNG/JPEG ≤ 2 MB by content)',
    tags,
    params: FormKeyParam,
    body: ApplicationInput,
    response: ApplicationReceived,
    status: 201,
    bodyLimit: 9 * 1024 * 1024,
    handler: async (req, reply) => {
      applyLimiter.hit(`${addressKey(req.raw.ip)}:${req.params.formKey}`);
      formDailyCap(req.params.formKey);
      // Bots fill every field; people never see this one. Answer as if accepted, store nothing.
      if (req.body[HONEYPOT]?.trim()) return reply.status(202).send({ ok: true });
      const r = await submitApplication(req.database.db, req.params.formKey, req.body, {
        ip: req.raw.ip,
        locale: req.locale,
        requestId: String(req.raw.id),
      });
      return r;
    },
  }),
  // ---------------------------------------------------------------- pipeline
  defineRoute({
    method: 'GET',
    url: '/recruitment/form',
    permission: P.recruit,
    summary: 'The tenant’s public application form link (null until one is made)',
    tags,
    response: RecruitmentForm,
    handler: (req) =>
      req.tx(
        async (tx) => {
          const key = await getFormKey(tx, req.principal.tenantId);
          return { formKey: key, url: key ? formUrl(key) : null };
        },
        { readOnly: true },
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/recruitment/form',
    permission: P.recruit,
    summary: 'Make (or rotate) the public application form link; the previous link stops working',
    tags,
    response: RecruitmentForm,
    handler: (req) =>
      req.tx(async (tx) => {
        const key = await rotateFormKey(tx, req.principal, req.actor);
        return { formKey: key, url: formUrl(key) };
      }),
  }),
  defineRoute({
    method: 'GET',
    url: '/recruitment/applications',
    permission: P.recruitRead,
    summary: 'Applications at the caller’s units, newest first, with SLA age',
    tags,
    query: ApplicationQuery,
    response: ApplicationList,
    handler: (req) =>
      req.tx((tx) => listApplications(tx, req.principal, req.query.stage), { readOnly: true }),
  }),
  defineRoute({
    method: 'GET',
    url: '/recruitment/applications/:id',
    permission: P.recruitRead,
    summary: 'One application with its documents and reviewer notes',
    tags,
    params: idParam,
    response: Application,
    probe: probeApp,
    handler: (req) => req.tx((tx) => getApplication(tx, req.principal, req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'GET',
    url: '/recruitment/documents/:id',
    permission: P.recruitRead,
    summary: 'A qualification document (PDF or image) for preview',
    tags,
    params: idParam,
    file: ['application/pdf', 'image/png', 'image/jpeg'],
    probe: { params: { id: 'dnw_document' } },
    handler: async (req, reply) => {
      const f = await req.tx((tx) => documentFile(tx, req.principal, req.params.id), { readOnly: true });
      return reply
        .header('content-type', f.mime)
        .header('content-disposition', contentDisposition(f.name).replace(/^attachment/, 'inline'))
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store')
        .send(f.bytes);
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/recruitment/applications/:id/notes',
    permission: P.recruit,
    summary: 'A reviewer note',
    tags,
    params: idParam,
    body: NoteInput,
    response: Application,
    status: 201,
    probe: probeApp,
    handler: (req) => req.tx((tx) => addNote(tx, req.principal, req.actor, req.params.id, req.body.text)),
  }),
  defineRoute({
    method: 'POST',
    url: '/recruitment/applications/:id/stage',
    permission: P.recruit,
    summary: 'Move an application: to reviewing (optionally handing it to a branch), rejected, or contract',
    tags,
    params: idParam,
    body: StageInput,
    response: Application,
    probe: { ...probeApp, sample: { version: 1, to: 'reviewing' } },
    handler: (req) =>
      req.tx((tx) => changeStage(tx, req.principal, req.actor, req.locale, req.params.id, req.body)),
  }),
  defineRoute({
    method: 'POST',
    url: '/recruitment/applications/:id/approval',
    permission: P.recruit,
    summary: 'Send a reviewed application for qualification approval (approvals engine)',
    tags,
    params: idParam,
    body: VersionBody,
    response: Application,
    probe: probeApp,
    handler: (req) =>
      req.tx((tx) =>
        requestApproval(tx, req.principal, req.actor, req.locale, req.params.id, req.body.version),
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/recruitment/applications/:id/onboard',
    permission: P.recruit,
    summary:
      '开户: create the dealer unit under a branch and its admin user (needs unit and user management over the branch; idempotent)',
    tags,
    params: idParam,
    body: OnboardInput,
    response: Onboarded,
    probe: {
      ...probeApp,
      body: { branchUnitId: 'dnw_branch' },
      sample: { version: 1, adminLogin: 'probe.dealer', roleId: '11111111-1111-4111-8111-111111111111' },
    },
    handler: (req) =>
      req.tx((tx) => onboard(tx, req.principal, req.actor, req.locale, req.params.id, req.body)),
  }),
  // ---------------------------------------------------------------- ERP
  defineRoute({
    method: 'POST',
    url: '/erp/payments',
    permission: P.erp,
    summary: 'ERP: a dealer’s payment 回款 (idempotent by externalId) — an account entry on the statement',
    tags,
    body: ErpPaymentInput,
    response: ErpReceipt,
    status: 201,
    probe: { body: { dealerUnitId: 'dms_dealer' } },
    handler: (req) => req.tx((tx) => erpPayment(tx, req.principal, req.actor, req.locale, req.body)),
  }),
  defineRoute({
    method: 'POST',
    url: '/erp/shipments',
    permission: P.erp,
    summary:
      'ERP: a shipment with tracking for an approved order (moves it to shipped; idempotent by externalId)',
    tags,
    body: ErpShipmentInput,
    response: ErpReceipt,
    status: 201,
    probe: { body: { orderId: 'dms_order' } },
    handler: (req) => req.tx((tx) => erpShipment(tx, req.principal, req.actor, req.locale, req.body)),
  }),
  defineRoute({
    method: 'POST',
    url: '/erp/stock-levels',
    permission: P.erp,
    summary: 'ERP: HQ stock on hand per catalogue product (idempotent by externalId)',
    tags,
    body: ErpStockInput,
    response: ErpReceipt,
    status: 201,
    probe: { body: { 'levels.0.productId': 'product' } },
    handler: (req) => req.tx((tx) => erpStock(tx, req.principal, req.actor, req.locale, req.body)),
  }),
  defineRoute({
    method: 'GET',
    url: '/erp/orders/:id/shipments',
    permission: P.erp,
    summary: 'Shipments (carrier, tracking) the ERP recorded for an order',
    tags,
    params: idParam,
    response: ErpShipmentList,
    probe: { params: { id: 'dms_order' } },
    handler: (req) => req.tx((tx) => shipmentsOf(tx, req.principal, req.params.id), { readOnly: true }),
  }),
  // ---------------------------------------------------------------- HQ tasks (R9.4)
  defineRoute({
    method: 'GET',
    url: '/hq-tasks',
    permission: P.tasksManage,
    summary: 'Tasks, campaigns and material pushes issued by the caller’s units, with completion counts',
    tags,
    response: TaskList,
    handler: (req) => req.tx((tx) => listTasks(tx, req.principal), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/hq-tasks',
    permission: P.tasksManage,
    summary: 'Push a task to units below (subtrees × unit types) with a due date and required proof',
    tags,
    body: TaskInput,
    response: TaskDetail,
    status: 201,
    probe: {
      body: { 'targetRootIds.0': 'dnw_branch' },
      sample: { title: 'probe', dueAt: '2099-01-01T00:00:00Z', proof: 'text', unitTypes: ['store'] },
    },
    handler: (req) => req.tx((tx) => createTask(tx, req.principal, req.actor, req.locale, req.body)),
  }),
  defineRoute({
    method: 'GET',
    url: '/hq-tasks/:id',
    permission: P.tasksManage,
    summary: 'Completion by unit (overdue flagged)',
    tags,
    params: idParam,
    response: TaskDetail,
    probe: probeTask,
    handler: (req) => req.tx((tx) => getTask(tx, req.principal, req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/hq-tasks/:id/remind',
    permission: P.tasksManage,
    summary: 'Remind the people of every unit that has not completed the task',
    tags,
    params: idParam,
    response: Reminded,
    probe: probeTask,
    handler: (req) => req.tx((tx) => remindOpen(tx, req.principal, req.actor, req.params.id)),
  }),
  defineRoute({
    method: 'GET',
    url: '/unit-tasks',
    permission: P.tasksWork,
    summary: 'Tasks targeted at the caller’s own unit',
    tags,
    query: UnitTaskQuery,
    response: UnitTaskList,
    handler: (req) => req.tx((tx) => listUnitTasks(tx, req.principal, req.query.status), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/unit-tasks/:id/complete',
    permission: P.tasksWork,
    summary: 'Complete the unit’s task with its proof (text, photo or tick; version-checked)',
    tags,
    params: idParam,
    body: CompleteInput,
    response: UnitTask,
    bodyLimit: 3 * 1024 * 1024 + 64 * 1024,
    probe: { ...probeTarget, sample: { version: 1, text: 'done', checked: true } },
    handler: (req) =>
      req.tx((tx) => completeTarget(tx, req.principal, req.actor, req.locale, req.params.id, req.body)),
  }),
  defineRoute({
    method: 'GET',
    url: '/unit-tasks/:id/photo',
    permission: P.tasksWork,
    summary: 'A completion’s proof photo',
    tags,
    params: idParam,
    file: ['image/png', 'image/jpeg'],
    probe: { params: { id: 'dnw_task_photo' } },
    handler: async (req, reply) => {
      const f = await req.tx((tx) => targetPhoto(tx, req.principal, req.params.id), { readOnly: true });
      return reply.header('content-type', f.mime).header('cache-control', 'private, no-store').send(f.bytes);
    },
  }),
];
