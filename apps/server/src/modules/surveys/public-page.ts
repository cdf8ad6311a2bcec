import { SurveyAnswerInput } from '@kehu/contracts/surveys';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RateLimiter } from '../../core/auth/rate-limit.ts';
import type { Database } from '../../core/db/database.ts';
import { AppError } from '../../core/errors.ts';
import { escapeHtml as esc } from '../../core/http/html.ts';
import { zodToFieldErrors } from '../../core/http/problem.ts';
import { answerSurvey, inviteByToken, type PublicInvite } from './invite.service.ts';
import { SCRIPT } from './public-page.script.ts';
import { surveyProblem } from './surveys.messages.ts';

const limiter = new RateLimiter(Number(process.env.SURVEY_PAGE_RATE_LIMIT ?? 240), 60_000);
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

function allowed(req: FastifyRequest) {
  try {
    limiter.hit(req.ip);
    return true;
  } catch (e) {
    if (e instanceof AppError) return false;
    throw e;
  }
}

/**
 * The public survey page `/s/<token>` (no sign-in; the token is the authority, the tenant is in
 * it): CSAT 1–5, NPS 0–10 and a comment, phone-first, one answer per token, until it expires.
 */
export async function registerSurveyPages(app: FastifyInstance, database: Database): Promise<void> {
  app.get('/s/survey.js', (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(SCRIPT),
  );
  app.get<{ Params: { token: string } }>(
    '/s/:token',
    { config: { contentSecurityPolicy: CSP } },
    async (req, reply) => {
      noStore(reply);
      if (!allowed(req)) return page(reply.status(429), '请稍后再试', '<h1>访问过于频繁，请稍后再试</h1>');
      const inv = await inviteByToken(database, req.params.token);
      if (!inv) return page(reply.status(404), '回访', '<h1 data-testid="survey-gone">回访链接不存在</h1>');
      return page(reply, '服务满意度回访', surveyPage(inv));
    },
  );
  app.post<{ Params: { token: string } }>('/s/:token/answer', async (req, reply) => {
    noStore(reply);
    if (!allowed(req)) throw new AppError('rate_limited', 429, { detailKey: 'rate_limited' });
    const parsed = SurveyAnswerInput.safeParse(req.body ?? {});
    if (!parsed.success) {
      const errors = zodToFieldErrors(parsed.error);
      throw new AppError('validation', 422, {
        errors,
        detailKey: 'validation.fields',
        params: { count: errors.length },
      });
    }
    if (parsed.data.csat === undefined && parsed.data.nps === undefined)
      throw surveyProblem('validation', 'zh-CN', 'score_required', {}, [
        { field: 'csat', code: 'required', message: '请至少选择一项评分' },
      ]);
    const inv = await inviteByToken(database, req.params.token);
    if (!inv) throw new AppError('not_found', 404, { detailKey: 'not_found', params: { what: 'survey' } });
    const r = await answerSurvey(database, inv, parsed.data);
    return { ok: true, low: r.low };
  });
}

function noStore(reply: FastifyReply) {
  reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex');
}

function scale(name: string, from: number, to: number, testid: string) {
  let s = '';
  for (let i = from; i <= to; i++)
    s += `<label class="pick"><input type="radio" name="${name}" value="${i}" data-testid="${testid}-${i}"><span>${i}</span></label>`;
  return `<div class="scale" role="radiogroup">${s}</div>`;
}

function surveyPage(inv: PublicInvite) {
  const head = `<h1>服务满意度回访</h1><p class="muted">工单 ${esc(inv.ticketNumber ?? '')}</p>`;
  if (inv.answered)
    return `${head}<p class="ok" data-testid="survey-answered">您已提交过本次回访，感谢您的反馈！</p>`;
  if (inv.expired) return `${head}<p class="muted" data-testid="survey-expired">回访链接已过期。</p>`;
  return `${head}
<form id="survey" data-testid="survey-form" data-required="请至少选择一项评分">
<fieldset><legend>您对本次服务满意吗？<span class="muted">（1 非常不满意 — 5 非常满意）</span></legend>${scale('csat', 1, 5, 'csat')}</fieldset>
<fieldset><legend>您有多大可能把我们推荐给亲友？<span class="muted">（0 不可能 — 10 非常可能）</span></legend>${scale('nps', 0, 10, 'nps')}</fieldset>
<label for="comment">还有什么想告诉我们的？</label>
<textarea id="comment" name="comment" maxlength="500" rows="3" placeholder="选填"></textarea>
<button type="submit" class="btn" data-testid="survey-submit">提交</button>
<p id="msg" class="err" role="alert"></p></form>
<p id="thanks" class="ok" data-testid="survey-thanks" hidden>感谢您的反馈！如有不满意之处，我们会尽快与您联系。</p>`;
}

function page(reply: FastifyReply, title: string, body: string) {
  return reply.type('text/html; charset=utf-8').send(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${esc(title)}</title><style>${STYLE}</style></head>
<body><main>${body}</main><script src="/s/survey.js" defer></script></body></html>`);
}

const STYLE = `*{box-sizing:border-box}body{margin:0;background:#f0f5ff;color:#1f2329;font:16px/1.6 -apple-system,"PingFang SC","Noto Sans SC",sans-serif}
main{max-width:560px;margin:0 auto;padding:20px 16px 32px;min-height:100vh;background:#fff}h1{font-size:22px;margin:4px 0}
.muted{color:#6b7280;font-size:14px}.err{color:#cf1322;min-height:1em}.ok{color:#389e0d;font-weight:600}
fieldset{border:0;padding:0;margin:16px 0}legend{font-weight:600;margin-bottom:8px}
.scale{display:flex;flex-wrap:wrap;gap:6px}.pick{flex:1 0 40px;max-width:56px}.pick input{position:absolute;opacity:0}
.pick span{display:block;text-align:center;padding:10px 0;border:1px solid #d0d3d9;border-radius:8px;cursor:pointer}
.pick input:checked+span{background:#1677ff;border-color:#1677ff;color:#fff}.pick input:focus-visible+span{outline:2px solid #1677ff;outline-offset:2px}
textarea{display:block;width:100%;padding:10px;margin:8px 0 16px;border:1px solid #d0d3d9;border-radius:8px;font:inherit}
.btn{display:block;width:100%;padding:12px;border:0;border-radius:8px;background:#1677ff;color:#fff;font-size:16px}.btn:disabled{opacity:.6}`;
