import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { RateLimiter } from '../../core/auth/rate-limit.ts';
import type { Database } from '../../core/db/database.ts';
import { AppError } from '../../core/errors.ts';
import { escapeHtml as esc } from '../../core/http/html.ts';
import { zodToFieldErrors } from '../../core/http/problem.ts';
import { fissionProblem } from './fission.messages.ts';
import {
  campaignByToken,
  join,
  type Progress,
  type PublicCampaign,
  participantPoster,
  progressByToken,
  progressUrl,
} from './participant.service.ts';
import { SCRIPT } from './public-page.script.ts';

const VISITOR_COOKIE = 'kehu_fv';
/** Pages: a person opens a few; joins create a WeCom contact way each, so they are held tighter. */
const pageLimiter = new RateLimiter(Number(process.env.FISSION_PAGE_RATE_LIMIT ?? 240), 60_000);
const joinLimiter = new RateLimiter(Number(process.env.FISSION_JOIN_RATE_LIMIT ?? 20), 60_000);
const JoinBody = z.object({ name: z.string().trim().min(1).max(20) }).strict();
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

function allowed(limiter: RateLimiter, req: FastifyRequest) {
  try {
    limiter.hit(req.ip);
    return true;
  } catch (e) {
    if (e instanceof AppError) return false;
    throw e;
  }
}

/**
 * The public fission pages (no sign-in; tokens are the authority): `/f/<campaign>` to join,
 * `/f/p/<participant>` for progress and the personal poster. They show a participant's first
 * name and counts only — never an invitee.
 */
export async function registerFissionPages(app: FastifyInstance, database: Database): Promise<void> {
  app.get('/f/fission.js', (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(SCRIPT),
  );
  app.get<{ Params: { token: string } }>(
    '/f/:token',
    { config: { contentSecurityPolicy: CSP } },
    async (req, reply) => {
      noStore(reply);
      if (!allowed(pageLimiter, req)) return gone(reply, 429);
      const c = await campaignByToken(database, req.params.token);
      if (!c) return gone(reply, 404);
      visitorOf(req, reply);
      return html(reply, c.name, joinPage(c));
    },
  );
  app.post<{ Params: { token: string } }>('/f/:token/join', async (req, reply) => {
    noStore(reply);
    if (!allowed(joinLimiter, req)) throw new AppError('rate_limited', 429, { detailKey: 'rate_limited' });
    const parsed = JoinBody.safeParse(req.body ?? {});
    if (!parsed.success) {
      const errors = zodToFieldErrors(parsed.error);
      throw new AppError('validation', 422, {
        errors,
        detailKey: 'validation.fields',
        params: { count: errors.length },
      });
    }
    const c = await campaignByToken(database, req.params.token);
    if (!c)
      throw new AppError('not_found', 404, { detailKey: 'not_found', params: { what: 'fission_campaign' } });
    if (!c.running) throw fissionProblem('conflict', 'zh-CN', 'not_running');
    const r = await join(database, c, visitorOf(req, reply), parsed.data.name);
    return { url: progressUrl(r.token) };
  });
  app.get<{ Params: { token: string } }>(
    '/f/p/:token',
    { config: { contentSecurityPolicy: CSP } },
    async (req, reply) => {
      noStore(reply);
      if (!allowed(pageLimiter, req)) return gone(reply, 429);
      const g = await progressByToken(database, req.params.token);
      if (!g) return gone(reply, 404);
      return html(reply, g.campaign.name, progressPage(g));
    },
  );
  app.get<{ Params: { token: string } }>('/f/p/:token/progress', async (req, reply) => {
    noStore(reply);
    if (!allowed(pageLimiter, req)) throw new AppError('rate_limited', 429, { detailKey: 'rate_limited' });
    const g = await progressByToken(database, req.params.token);
    if (!g)
      throw new AppError('not_found', 404, {
        detailKey: 'not_found',
        params: { what: 'fission_participant' },
      });
    return {
      done: Math.min(g.done, g.campaign.inviteTarget),
      needed: g.campaign.inviteTarget,
      reward: g.reward,
      // The page reloads when this changes (task met, coupon issued).
      rewardKey: rewardKey(g),
    };
  });
  app.get<{ Params: { token: string } }>('/f/p/:token/poster.png', async (req, reply) => {
    if (!allowed(pageLimiter, req)) return reply.status(429).send();
    const g = await progressByToken(database, req.params.token);
    if (!g) return reply.status(404).type('text/plain').send('not found');
    const { png, key } = await participantPoster(database, g);
    // The content address is the ETag: a browser that has this version gets 304.
    const etag = `"${key}"`;
    reply.header('etag', etag).header('cache-control', 'private, max-age=300');
    if (req.headers['if-none-match'] === etag) return reply.status(304).send();
    return reply.type('image/png').send(png);
  });
}

function noStore(reply: FastifyReply) {
  reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex');
}

function visitorOf(req: FastifyRequest, reply: FastifyReply): string {
  const cookie = req.cookies?.[VISITOR_COOKIE];
  if (cookie && /^[A-Za-z0-9_-]{22}$/.test(cookie)) return cookie;
  const v = randomBytes(16).toString('base64url');
  reply.setCookie(VISITOR_COOKIE, v, { path: '/f', httpOnly: true, sameSite: 'lax', maxAge: 180 * 86400 });
  return v;
}

function html(reply: FastifyReply, title: string, body: string) {
  return reply.type('text/html; charset=utf-8').send(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${esc(title)}</title><style>${STYLE}</style></head>
<body><main>${body}</main><script src="/f/fission.js" defer></script></body></html>`);
}

const rewardKey = (g: Progress) =>
  g.reward ? `${g.reward.status}:${g.reward.coupon?.status ?? ''}:${g.reward.coupon?.code ?? ''}` : '';

function joinPage(c: PublicCampaign) {
  const { name, rewardText: reward, inviteTarget: target, running, endsOn } = c;
  const group = c.task === 'join_group';
  return `<h1 data-testid="fission-name">${esc(name)}</h1>
<p class="lead">邀请 <b>${target}</b> 位好友${group ? '扫码加入客户群' : '添加顾问企业微信'}，即可获得：<b>${esc(reward)}</b></p>
${
  running
    ? `<form id="join" data-testid="fission-join"><input name="name" placeholder="您的称呼" maxlength="20" required autocomplete="name">
<button type="submit" class="btn">参加活动，生成我的专属海报</button></form><p id="join-msg" class="err" role="alert"></p>
<p class="muted">活动截止 ${esc(endsOn)}。同一位好友只计一次；好友 24 小时内${group ? '退群' : '删除顾问'}不计入。</p>`
    : `<p class="muted" data-testid="fission-closed">活动未开始或已结束。</p>`
}`;
}

function progressPage(g: Progress) {
  const t = esc(g.participant.token);
  const need = g.campaign.inviteTarget;
  const done = Math.min(g.done, need);
  return `<h1>${esc(g.campaign.name)}</h1>
<section class="box" id="progress" data-testid="fission-progress">
<p>${esc(g.participant.name)}，已邀请 <b id="done" data-testid="fission-done">${done}</b> / <b data-testid="fission-needed">${need}</b> 位好友</p>
<div class="track"><div id="bar" class="bar" style="width:${Math.round((100 * done) / need)}%"></div></div>
<p id="reward" class="ok" data-testid="fission-reward" data-key="${esc(rewardKey(g))}" ${g.reward ? '' : 'hidden'}>任务完成！奖励：${esc(g.campaign.rewardText)}${rewardNote(g)}</p>
</section>
<img class="poster" src="/f/p/${t}/poster.png" alt="我的专属海报" data-testid="fission-poster">
<p class="muted center">长按保存海报，分享给好友扫码${g.campaign.task === 'join_group' ? '入群' : '添加顾问'}</p>`;
}

/** A coupon reward shows its code (the participant's own) once issued; other rewards are handed over by staff. */
function rewardNote(g: Progress) {
  const c = g.reward?.coupon;
  if (!c) return '（顾问会与您联系）';
  if (c.status === 'issued' && c.code)
    return `<br>券码 <b class="code" data-testid="fission-coupon-code">${esc(c.code)}</b>${
      c.expiresAt
        ? `<br><span class="muted">有效期至 ${esc(c.expiresAt.slice(0, 10))}，到店出示券码核销</span>`
        : ''
    }`;
  if (c.status === 'pending') return '<br><span class="muted">优惠券发放中…</span>';
  return '（优惠券暂未能发放，顾问会与您联系）';
}

function gone(reply: FastifyReply, status: number) {
  return reply
    .status(status)
    .type('text/html; charset=utf-8')
    .send(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>活动不可用</title>
<style>${STYLE}</style></head><body><main data-testid="fission-gone"><h1>活动不存在或已结束</h1></main></body></html>`);
}

const STYLE = `*{box-sizing:border-box}body{margin:0;background:#fff1f0;color:#1f2329;font:16px/1.6 -apple-system,"PingFang SC","Noto Sans SC",sans-serif}
main{max-width:560px;margin:0 auto;padding:20px 16px 32px;min-height:100vh;background:#fff}h1{font-size:22px;margin:4px 0 8px}
.lead{color:#4e5969}.muted{color:#6b7280;font-size:14px}.center{text-align:center}.err{color:#cf1322;min-height:1em}.ok{color:#389e0d;font-weight:600}
input{display:block;width:100%;padding:12px;margin:8px 0;border:1px solid #d0d3d9;border-radius:8px;font-size:16px}
.btn{display:block;width:100%;padding:12px;border:0;border-radius:8px;background:#f5222d;color:#fff;font-size:16px}.btn:disabled{opacity:.6}
.box{padding:16px;border-radius:12px;background:#fff7f6;margin:12px 0}.track{height:10px;border-radius:5px;background:#ffd8d6;overflow:hidden}
.bar{height:100%;background:#f5222d}.code{font-size:20px;letter-spacing:1px;color:#1f2329}.poster{display:block;max-width:100%;margin:12px auto;border-radius:8px}`;
