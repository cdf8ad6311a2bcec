// 在职继承 and 离职继承: moving customers between staff. WeCom starts a transfer at once (customer errcode
// 0) and completes it 24 h later unless the customer refuses (status 3) or the takeover is full (status 4).
// An in-service customer may be transferred at most twice in 90 days; at most 100 customers per call.
import type { Handler } from './api-contacts.ts';
import { E, WeComError } from './errors.ts';
import type { SimCorpState, Transfer } from './model.ts';

export const TRANSFER_DELAY_MS = 24 * 3_600_000;
const NINETY_DAYS_MS = 90 * 86_400_000;
const MAX_PER_CALL = 100;
/** Per-customer errcodes: 40129 is WeCom's "already being transferred"; 40130 (too often) is our pick. */
export const TRANSFERRING = 40129;
export const TOO_OFTEN = 40130;
const str = (v: unknown): v is string => typeof v === 'string';
const sec = (ms: number) => Math.floor(ms / 1000);

export function settleTransfers(corp: SimCorpState): void {
  for (const t of corp.transfers) {
    if (t.status !== 2 || t.dueAt > corp.now()) continue;
    const c = corp.contacts.get(t.external_userid);
    const f = c?.follows.get(t.handover_userid);
    if (!c || !f) {
      t.status = 3;
      continue;
    }
    if (corp.customerCount(t.takeover_userid) >= corp.maxCustomersPerStaff) {
      t.status = 4;
      corp.emit({
        Event: 'change_external_contact',
        ChangeType: 'transfer_fail',
        FailReason: 'customer_limit_exceed',
        UserID: t.takeover_userid,
        ExternalUserID: t.external_userid,
      });
      continue;
    }
    c.follows.delete(t.handover_userid);
    corp.unlink(t.handover_userid, t.external_userid);
    corp.link(t.takeover_userid, t.external_userid);
    if (!c.follows.has(t.takeover_userid))
      c.follows.set(t.takeover_userid, {
        ...f,
        userid: t.takeover_userid,
        createtime: sec(t.dueAt),
        add_way: 202,
        oper_userid: t.takeover_userid,
        tags: new Set(f.tags),
      });
    t.status = 1;
    t.takeover_time = sec(t.dueAt);
  }
}

export function refuseTransfer(corp: SimCorpState, external_userid: string): void {
  const t = corp.transfers.find((x) => x.external_userid === external_userid && x.status === 2);
  if (!t) throw new Error('no transfer under way for this customer');
  t.status = 3;
  corp.emit({
    Event: 'change_external_contact',
    ChangeType: 'transfer_fail',
    FailReason: 'customer_refused',
    UserID: t.takeover_userid,
    ExternalUserID: t.external_userid,
  });
}

function start(corp: SimCorpState, body: any, kind: 'onjob' | 'resigned') {
  if (!str(body?.handover_userid) || !str(body?.takeover_userid))
    throw E.invalidParam('handover_userid and takeover_userid required');
  const list = body.external_userid;
  if (!Array.isArray(list) || list.length === 0) throw E.invalidParam('external_userid required');
  if (list.length > MAX_PER_CALL) throw E.invalidParam('at most 100 customers per call');
  const handover = corp.staff.get(body.handover_userid);
  if (!handover) throw E.noUser(body.handover_userid);
  corp.contactStaff(body.takeover_userid);
  if (body.handover_userid === body.takeover_userid)
    throw E.invalidParam('handover and takeover are the same');
  if (kind === 'resigned' && handover.status === 1)
    throw new WeComError(40097, 'handover_userid has not resigned');
  if (kind === 'onjob' && handover.status !== 1) throw E.noUser(body.handover_userid);
  const msg = body.transfer_success_msg;
  if (msg !== undefined && (!str(msg) || [...msg].length > 200))
    throw E.invalidParam('transfer_success_msg ≤ 200 characters');
  settleTransfers(corp);
  const customer = list.map((id: unknown) => {
    const c = str(id) ? corp.contacts.get(id) : undefined;
    if (!c) return { external_userid: id, errcode: 40096 };
    if (!c.follows.has(body.handover_userid)) return { external_userid: id, errcode: 84061 };
    if (corp.transfers.some((t) => t.external_userid === id && t.status === 2))
      return { external_userid: id, errcode: TRANSFERRING };
    if (kind === 'onjob') {
      const recent = (corp.onjobTransferTimes.get(c.external_userid) ?? []).filter(
        (at) => at > corp.now() - NINETY_DAYS_MS,
      );
      if (recent.length >= 2) return { external_userid: id, errcode: TOO_OFTEN };
      corp.onjobTransferTimes.set(c.external_userid, [...recent, corp.now()]);
      corp.chatOf(body.handover_userid, c.external_userid).push({
        from: 'staff',
        kind: 'text',
        text: msg ?? '您好，您的服务已升级，后续将由我的同事接替我的工作，继续为您服务。',
        at: corp.now(),
      });
    }
    const t: Transfer = {
      kind,
      handover_userid: body.handover_userid,
      takeover_userid: body.takeover_userid,
      external_userid: c.external_userid,
      status: 2,
      takeover_time: 0,
      dueAt: corp.now() + corp.ctx.transferDelayMs,
      transfer_success_msg: msg,
    };
    corp.transfers.push(t);
    return { external_userid: id, errcode: 0 };
  });
  return { customer };
}

function result(corp: SimCorpState, body: any, kind: 'onjob' | 'resigned') {
  if (!str(body?.handover_userid) || !str(body?.takeover_userid))
    throw E.invalidParam('handover_userid and takeover_userid required');
  settleTransfers(corp);
  const rows = corp.transfers.filter(
    (t) =>
      t.kind === kind &&
      t.handover_userid === body.handover_userid &&
      t.takeover_userid === body.takeover_userid,
  );
  // The latest attempt per customer is the one WeCom reports.
  const latest = new Map<string, Transfer>();
  for (const t of rows) latest.set(t.external_userid, t);
  const all = [...latest.values()];
  const start = body.cursor ? Number.parseInt(body.cursor, 36) : 0;
  const page = all.slice(start, start + 1000);
  return {
    customer: page.map((t) => ({
      external_userid: t.external_userid,
      status: t.status,
      takeover_time: t.takeover_time,
    })),
    next_cursor: start + 1000 < all.length ? (start + 1000).toString(36) : '',
  };
}

export const transferHandlers: Record<string, Handler> = {
  'externalcontact/transfer_customer': ({ corp, body }) => start(corp, body, 'onjob'),
  'externalcontact/transfer_result': ({ corp, body }) => result(corp, body, 'onjob'),
  'externalcontact/resigned/transfer_customer': ({ corp, body }) => start(corp, body, 'resigned'),
  'externalcontact/resigned/transfer_result': ({ corp, body }) => result(corp, body, 'resigned'),
  'externalcontact/get_unassigned_list': ({ corp, body }) => {
    settleTransfers(corp);
    const size = Number(body?.page_size ?? 1000);
    if (!Number.isInteger(size) || size < 1 || size > 1000) throw E.invalidParam('page_size must be 1..1000');
    const info = [];
    for (const s of corp.staff.values()) {
      if (s.status === 1) continue;
      for (const id of corp.byStaff.get(s.userid) ?? []) {
        const c = corp.contacts.get(id)!;
        if (
          corp.transfers.some(
            (t) =>
              t.external_userid === c.external_userid && t.handover_userid === s.userid && t.status === 2,
          )
        )
          continue;
        info.push({
          handover_userid: s.userid,
          external_userid: c.external_userid,
          dimission_time: sec(s.leftAt ?? 0),
        });
      }
    }
    const start = body?.cursor ? Number.parseInt(body.cursor, 36) : 0;
    const page = info.slice(start, start + size);
    const last = start + size >= info.length;
    return { info: page, is_last: last, next_cursor: last ? '' : (start + size).toString(36) };
  },
};
