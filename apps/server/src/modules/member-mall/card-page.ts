import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { RateLimiter } from '../../core/auth/rate-limit.ts';
import type { Database } from '../../core/db/database.ts';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { AppError } from '../../core/errors.ts';
import { escapeHtml as esc } from '../../core/http/html.ts';
import { zodToFieldErrors } from '../../core/http/problem.ts';
import { tenantOfPublicToken } from '../cards/index.ts';
import {
  type CardSession,
  cardTenant,
  cardView,
  sendCode,
  sessionOf,
  signIn,
  signOut,
} from './card.service.ts';
import { SCRIPT } from './card-page.script.ts';
import { fileCardTicket } from './card-ticket.ts';
import { mallProblem } from './member-mall.messages.ts';
import { redeem } from './redeem.service.ts';

const COOKIE = 'kehu_mc';
const pageLimiter = new RateLimiter(Number(process.env.MEMBER_CARD_PAGE_RATE_LIMIT ?? 240), 60_000);
/** Per address: sends cost money, sign-ins guess codes (the per-phone limits live in the database). */
const codeLimiter = new RateLimiter(Number(process.env.MEMBER_CARD_CODE_RATE_LIMIT ?? 10), 60_000);
const signInLimiter = new RateLimiter(Number(process.env.MEMBER_CARD_SIGNIN_RATE_LIMIT ?? 30), 60_000);

const CodeBody = z.object({ phone: z.string().trim().min(5).max(20) }).strict();
const SignInBody = z
  .object({
    phone: z.string().trim().min(5).max(20),
    code: z
      .string()
      .trim()
      .regex(/^\d{6}$/),
    ref: z.string().trim().max(20).optional(),
  })
  .strict();
const TicketBody = z.object({
  description: z.string().trim().min(5).max(2000),
  idempotencyKey: z.string().min(8).max(100),
});

const RedeemBody = z
  .object({
    rewardId: z.uuid(),
    idempotencyKey: z.string().min(8).max(100),
    shipping: z
      .object({
        name: z.string().trim().min(1).max(30),
        phone: z.string().trim().min(5).max(20),
        address: z.string().trim().min(5).max(200),
      })
      .strict()
      .optional(),
  })
  .strict();

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

function limit(limiter: RateLimiter, req: FastifyRequest) {
  limiter.hit(req.ip); // throws the 429 problem
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const errors = zodToFieldErrors(parsed.error);
  throw new AppError('validation', 422, {
    errors,
    detailKey: 'validation.fields',
    params: { count: errors.length },
  });
}

const notFoundProblem = () =>
  new AppError('not_found', 404, { detailKey: 'not_found', params: { what: 'member_card' } });

/**
 * The public member card (会员卡 H5, R7.1–R7.3): `/vip/<token>` signs a customer in by phone and
 * SMS code and then shows their tier, points, coupons, the mall, history and their referral link.
 * No staff session: the card token names the tenant, the `kehu_mc` cookie names the member.
 */
export async function registerCardPages(app: FastifyInstance, database: Database): Promise<void> {
  app.get('/vip/member-card.js', (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(SCRIPT),
  );
  app.get<{ Params: { token: string }; Querystring: { ref?: string } }>(
    '/vip/:token',
    { config: { contentSecurityPolicy: CSP } },
    async (req, reply) => {
      noStore(reply);
      try {
        limit(pageLimiter, req);
      } catch {
        return gone(reply, 429, '请求太频繁，请稍后再试');
      }
      const t = await cardTenant(database, req.params.token, tenantOfPublicToken);
      if (!t) return gone(reply, 404, '会员卡不存在');
      if (!t.open) return gone(reply, 404, '会员卡尚未开放');
      const view = await inTenant(
        database.db,
        t.tenantId,
        async (tx) => {
          const s = await sessionOf(tx, t.tenantId, req.cookies?.[COOKIE]);
          return s ? cardView(tx, t.tenantId, s, 'zh-CN') : null;
        },
        { readOnly: false },
      );
      const ref = typeof req.query.ref === 'string' ? req.query.ref.slice(0, 20) : '';
      return html(reply, view ? cardPage(view) : signInPage(ref));
    },
  );
  app.post<{ Params: { token: string } }>('/vip/:token/code', async (req, reply) => {
    noStore(reply);
    limit(codeLimiter, req);
    const body = parse(CodeBody, req.body);
    const t = await cardTenant(database, req.params.token, tenantOfPublicToken);
    if (!t) throw notFoundProblem();
    if (!t.open) throw mallProblem('conflict', 'zh-CN', 'card_closed');
    return sendCode(database, t.tenantId, body.phone, 'zh-CN');
  });
  app.post<{ Params: { token: string } }>('/vip/:token/sign-in', async (req, reply) => {
    noStore(reply);
    limit(signInLimiter, req);
    const body = parse(SignInBody, req.body);
    const t = await cardTenant(database, req.params.token, tenantOfPublicToken);
    if (!t) throw notFoundProblem();
    const r = await signIn(database, t.tenantId, body, 'zh-CN');
    reply.setCookie(COOKIE, r.token, {
      path: '/vip',
      httpOnly: true,
      sameSite: 'lax',
      secure: req.protocol === 'https',
      maxAge: 30 * 86400,
    });
    return { signedIn: true, referral: r.referral };
  });
  app.post<{ Params: { token: string } }>('/vip/:token/sign-out', async (req, reply) => {
    noStore(reply);
    const t = await cardTenant(database, req.params.token, tenantOfPublicToken);
    if (t) await signOut(database, t.tenantId, req.cookies?.[COOKIE]);
    reply.clearCookie(COOKIE, { path: '/vip' });
    return { signedIn: false };
  });
  app.get<{ Params: { token: string } }>('/vip/:token/me', async (req, reply) => {
    noStore(reply);
    limit(pageLimiter, req);
    const t = await cardTenant(database, req.params.token, tenantOfPublicToken);
    if (!t) throw notFoundProblem();
    return inTenant(database.db, t.tenantId, async (tx) => {
      const s = await sessionOf(tx, t.tenantId, req.cookies?.[COOKIE]);
      if (!s) throw new AppError('unauthenticated', 401, { detailKey: 'unauthenticated' });
      return cardView(tx, t.tenantId, s, 'zh-CN');
    });
  });
  app.post<{ Params: { token: string } }>('/vip/:token/redeem', async (req, reply) => {
    noStore(reply);
    limit(signInLimiter, req);
    const body = parse(RedeemBody, req.body);
    const t = await cardTenant(database, req.params.token, tenantOfPublicToken);
    if (!t) throw notFoundProblem();
    return inTenant(database.db, t.tenantId, async (tx) => {
      const s: CardSession | null = await sessionOf(tx, t.tenantId, req.cookies?.[COOKIE]);
      if (!s) throw mallProblem('forbidden', 'zh-CN', 'signed_out');
      // The session's own key space: another member's key can never replay their redemption.
      return redeem(
        tx,
        t.tenantId,
        {
          memberId: s.memberId,
          rewardId: body.rewardId,
          idempotencyKey: `card:${s.memberId}:${body.idempotencyKey}`,
          shipping: body.shipping,
          channel: 'card',
          visibleUnits: null,
          by: null,
        },
        'zh-CN',
      );
    });
  });
  app.post<{ Params: { token: string } }>('/vip/:token/tickets', async (req, reply) => {
    noStore(reply);
    limit(signInLimiter, req);
    const body = parse(TicketBody, req.body);
    const t = await cardTenant(database, req.params.token, tenantOfPublicToken);
    if (!t) throw notFoundProblem();
    return inTenant(database.db, t.tenantId, async (tx) => {
      const s = await sessionOf(tx, t.tenantId, req.cookies?.[COOKIE]);
      if (!s) throw mallProblem('forbidden', 'zh-CN', 'signed_out');
      return fileCardTicket(tx, t.tenantId, s, body);
    });
  });
}

function noStore(reply: FastifyReply) {
  reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex');
}

function html(reply: FastifyReply, body: string) {
  return reply.type('text/html; charset=utf-8').send(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>会员中心</title><style>${STYLE}</style></head>
<body><main>${body}</main><script src="/vip/member-card.js" defer></script></body></html>`);
}

function gone(reply: FastifyReply, status: number, text: string) {
  return reply
    .status(status)
    .type('text/html; charset=utf-8')
    .send(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>会员中心</title>
<style>${STYLE}</style></head><body><main data-testid="card-gone"><h1>${esc(text)}</h1></main></body></html>`);
}

function signInPage(ref: string) {
  return `<h1>会员中心</h1><p class="muted">用手机号登录，查看积分、优惠券和会员等级。新朋友登录即成为会员。</p>
<form id="signin" data-testid="card-signin" class="box">
<label>手机号<input name="phone" type="tel" inputmode="numeric" autocomplete="tel" maxlength="20" required data-testid="card-phone" placeholder="请输入手机号"></label>
<label>验证码<span class="row"><input name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" pattern="\\d{6}" required data-testid="card-code" placeholder="6 位验证码">
<button type="button" id="send-code" class="btn2" data-testid="card-send-code">获取验证码</button></span></label>
<input type="hidden" name="ref" value="${esc(ref)}">
${ref ? `<p class="muted">好友邀请码：<b>${esc(ref)}</b></p>` : ''}
<button type="submit" class="btn" data-testid="card-submit">登录 / 注册</button>
<p id="signin-msg" class="err" role="alert" aria-live="polite"></p>
<p class="muted small">登录即表示同意我们为提供会员服务处理您的手机号。</p></form>`;
}

type View = Awaited<ReturnType<typeof cardView>>;
const STATUS: Record<string, string> = {
  issued: '已发券',
  pending_service: '待服务',
  served: '已服务',
  pending_shipment: '待发货',
  shipped: '已发货',
  received: '已收货',
  cancelled: '已取消',
};
const COUPON: Record<string, string> = {
  active: '可使用',
  redeemed: '已使用',
  expired: '已过期',
  voided: '已作废',
};
const day = (s: string | null) => (s ? s.slice(0, 10) : '长期有效');
/** The China calendar day of an instant (the card is read in China: 00:30 Beijing is that day). */
const cnDay = (s: string) => new Date(s).toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
const LEDGER: Record<string, string> = {
  earn: '获得',
  spend: '使用',
  reverse_spend: '退回',
  reverse_earn: '扣回',
  expire: '过期',
  adjust: '调整',
  transfer_in: '转入',
  transfer_out: '转出',
};
/** This module writes these reason codes on the ledger; the member reads words. */
const REASON: Record<string, string> = {
  mall_redeem: '积分商城兑换',
  mall_cancel: '兑换取消，积分退回',
  referral: '邀请好友奖励',
};

function cardPage(v: View) {
  const m = v.member;
  const next = m.nextTier;
  const pct = next
    ? Math.min(100, Math.round((100 * m.qualifying) / Math.max(1, m.qualifying + next.qualifyingNeeded)))
    : 100;
  const expiring = m.expiringSoon.reduce((a, x) => a + x.points, 0);
  const rewards = v.rewards
    .map((w) => {
      const soldOut = w.stockLeft !== null && w.stockLeft <= 0;
      const afford = m.balance >= w.pointsCost;
      const ship =
        w.kind === 'gift' && afford && !soldOut
          ? `<input name="ship_name" placeholder="收货人" maxlength="30" required><input name="ship_phone" type="tel" placeholder="收货电话" maxlength="20" required><input name="ship_address" placeholder="收货地址" maxlength="200" required>`
          : '';
      return `<li class="reward" data-testid="card-reward"><div class="rw"><b>${esc(w.name)}</b><span class="pts">${w.pointsCost} 积分</span></div>
${w.description ? `<p class="muted small">${esc(w.description)}</p>` : ''}
${w.stockLeft !== null ? `<p class="muted small">剩余 ${w.stockLeft} 件</p>` : ''}
<form class="redeem" data-reward="${esc(w.id)}" data-key="${randomUUID()}">${ship}
<button type="submit" class="btn2" data-testid="card-redeem" ${soldOut || !afford ? 'disabled' : ''}>${soldOut ? '已兑完' : afford ? '立即兑换' : '积分不足'}</button>
<span id="msg-${esc(w.id)}" role="status" aria-live="polite"></span></form></li>`;
    })
    .join('');
  const coupons = v.coupons
    .map(
      (
        c,
      ) => `<li data-testid="card-coupon"><b>${esc(c.templateName)}</b> <span class="tag">${COUPON[c.status] ?? c.status}</span>
<div class="muted small">${esc(c.benefit)} · 券码 ${esc(c.code)} · 有效期至 ${day(c.expiresAt)}</div></li>`,
    )
    .join('');
  const history = v.history
    .map(
      (
        h,
      ) => `<li><b>${esc(h.rewardName)}</b> −${h.points} 积分 <span class="tag">${STATUS[h.status] ?? h.status}</span>
<div class="muted small">${h.createdAt.slice(0, 10)}${h.trackingNo ? ` · 物流单号 ${esc(h.trackingNo)}` : ''}${h.couponCode ? ` · 券码 ${esc(h.couponCode)}` : ''}</div></li>`,
    )
    .join('');
  const b = v.benefits;
  const perks = [
    b.discountPercent ? `购物享 ${((100 - b.discountPercent) / 10).toFixed(1).replace(/\.0$/, '')} 折` : '',
    ...b.freeServices.map((f) => esc(f)),
    b.birthdayPoints ? `生日赠送 ${b.birthdayPoints} 积分` : '',
    b.birthdayCoupon ? '生日礼券' : '',
  ].filter(Boolean);
  const ledger = v.ledger
    .map(
      (
        l,
      ) => `<li data-testid="card-ledger-line"><div class="rw"><span>${esc(REASON[l.reason] ?? l.reason)}</span>
<b class="${l.delta >= 0 ? 'plus' : 'minus'}">${l.delta >= 0 ? '+' : '−'}${Math.abs(l.delta)}</b></div>
<div class="muted small">${cnDay(l.createdAt)} · ${LEDGER[l.kind] ?? esc(l.kind)}${l.kind === 'earn' && l.expiresAt ? ` · ${cnDay(l.expiresAt)} 到期` : ''}</div>${
        l.rule ? `<div class="muted small" data-testid="card-ledger-rule">${esc(l.rule)}</div>` : ''
      }</li>`,
    )
    .join('');
  return `<section class="card" data-testid="card-member">
<div class="rw"><span>${esc(m.programName)}</span><button type="button" id="sign-out" class="link">退出</button></div>
<div class="tier" data-testid="card-tier">${esc(m.tier.name)}</div>
<div class="muted-w small">会员号 ${esc(m.memberNo)}</div>
<div class="bal"><span data-testid="card-points">${m.balance}</span> 积分</div>
${expiring ? `<div class="small" data-testid="card-expiring">${expiring} 积分将于 ${esc(m.expiringSoon[0]!.expiresAt.slice(0, 10))} 起陆续过期</div>` : ''}
${
  next
    ? `<div class="track" role="progressbar" aria-valuenow="${pct}" aria-valuemin="0" aria-valuemax="100"><div class="bar" style="width:${pct}%"></div></div>
<div class="small">再累计 ${next.qualifyingNeeded} 成长值升级为「${esc(next.name)}」</div>`
    : '<div class="small">已是最高等级</div>'
}</section>
<h2 id="benefits">「${esc(m.tier.name)}」会员权益</h2>
<section class="box" data-testid="card-benefits">${
    perks.length
      ? `<ul class="perks">${perks.map((x) => `<li>${x}</li>`).join('')}</ul>`
      : '<p class="muted">累计积分升级后可享更多权益。</p>'
  }</section>
<nav class="tabs"><a href="#mall">积分商城</a><a href="#coupons">优惠券</a><a href="#points">积分明细</a><a href="#history">兑换记录</a><a href="#invite">邀请好友</a></nav>
<h2 id="mall">积分商城</h2>
${rewards ? `<ul class="list">${rewards}</ul>` : '<p class="muted">暂无可兑换的礼品，敬请期待。</p>'}
<h2 id="coupons">我的优惠券</h2>
${coupons ? `<ul class="list">${coupons}</ul>` : '<p class="muted">还没有优惠券，可在积分商城兑换。</p>'}
<h2 id="points">积分明细</h2>
${ledger ? `<ul class="list" data-testid="card-ledger">${ledger}</ul><p class="muted small">显示最近 20 条。</p>` : '<p class="muted">还没有积分记录。</p>'}
<h2 id="history">兑换记录</h2>
${history ? `<ul class="list">${history}</ul>` : '<p class="muted">还没有兑换记录。</p>'}
${
  v.referralUrl
    ? `<h2 id="invite">邀请好友</h2><section class="box" data-testid="card-referral"><p>好友通过您的链接注册并首次下单后，您和好友都可获得奖励。</p>
<p class="small">邀请码 <b>${esc(v.referralCode)}</b></p><p class="url" id="ref-url">${esc(v.referralUrl)}</p>
<button type="button" id="copy-ref" class="btn2">复制邀请链接</button></section>`
    : ''
}
${v.stores.length ? `<h2>门店</h2><ul class="list">${v.stores.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>` : ''}
<details class="box" data-testid="card-ticket"><summary class="link">遇到问题？提交服务工单</summary>
<form id="ticket" data-key="${randomUUID()}"><label for="ticket-text">请描述您遇到的问题（至少 5 个字）</label>
<textarea id="ticket-text" name="description" rows="4" maxlength="2000" required data-testid="card-ticket-text"></textarea>
<button type="submit" class="btn" data-testid="card-ticket-submit">提交工单</button><p id="ticket-msg" class="err" role="status"></p></form></details>`;
}

const STYLE = `*{box-sizing:border-box}body{margin:0;background:#f5f6f8;color:#1f2329;font:16px/1.6 -apple-system,"PingFang SC","Noto Sans SC",sans-serif}
main{max-width:560px;margin:0 auto;padding:16px 14px 40px;min-height:100vh}h1{font-size:22px;margin:4px 0 8px}h2{font-size:17px;margin:22px 0 8px}
.muted{color:#6b7280}.small{font-size:13px}.center{text-align:center}.err{color:#cf1322;min-height:1em}.ok{color:#389e0d}
label{display:block;margin:10px 0 0;font-size:14px;color:#4e5969}.row{display:flex;gap:8px}.row input{flex:1}
input{display:block;width:100%;padding:11px;margin:6px 0;border:1px solid #d0d3d9;border-radius:8px;font-size:16px;background:#fff}
.btn{display:block;width:100%;padding:12px;margin-top:14px;border:0;border-radius:8px;background:#b8860b;color:#fff;font-size:16px}
.btn2{padding:8px 14px;border:1px solid #b8860b;border-radius:8px;background:#fff;color:#8a6508;font-size:15px;white-space:nowrap;min-height:40px}
button:disabled{opacity:.5}button:focus-visible,a:focus-visible,input:focus-visible{outline:2px solid #1677ff;outline-offset:2px}
.box{padding:16px;border-radius:12px;background:#fff;margin:12px 0}
textarea{display:block;width:100%;padding:11px;margin:6px 0;border:1px solid #d0d3d9;border-radius:8px;font:inherit;background:#fff}
details.box summary{cursor:pointer;color:#8a6508;text-align:center}
.card{padding:18px;border-radius:14px;background:linear-gradient(135deg,#2b2118,#6b4f1d);color:#fbe9c6}
.card .link{color:#fbe9c6}.tier{font-size:24px;font-weight:700;margin-top:6px}.muted-w{opacity:.75}.bal{font-size:16px;margin:8px 0}.bal span{font-size:32px;font-weight:700}
.track{height:8px;border-radius:4px;background:rgba(255,255,255,.25);overflow:hidden;margin:8px 0 4px}.bar{height:100%;background:#f5c451}
.rw{display:flex;justify-content:space-between;align-items:center;gap:8px}.pts{color:#b8860b;font-weight:600;white-space:nowrap}
.tabs{display:flex;gap:6px;overflow-x:auto;margin:14px 0 0}.tabs a{flex:none;padding:6px 12px;border-radius:16px;background:#fff;color:#4e5969;text-decoration:none;font-size:14px}
.list{list-style:none;margin:0;padding:0}.list li{background:#fff;border-radius:10px;padding:12px;margin:8px 0}
.tag{display:inline-block;padding:0 6px;border-radius:4px;background:#f2f3f5;color:#4e5969;font-size:12px}
.url{word-break:break-all;font-size:13px;background:#f7f8fa;padding:8px;border-radius:6px}
.link{background:none;border:0;color:#1677ff;font-size:14px;padding:4px;cursor:pointer;text-decoration:underline}
.redeem{margin-top:6px}.redeem [role=status]{margin-left:8px;font-size:13px}
.plus{color:#389e0d;white-space:nowrap}.minus{color:#cf1322;white-space:nowrap}.perks{margin:0;padding-left:20px}`;
