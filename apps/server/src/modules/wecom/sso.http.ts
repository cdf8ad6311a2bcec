import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { writeAudit } from '../../core/audit/audit.ts';
import { openSession } from '../../core/auth/auth.service.ts';
import {
  assertNotThrottled,
  type Bucket,
  recordFailure,
  recordSuccess,
  signInKey,
} from '../../core/auth/login-throttle.ts';
import { RateLimiter } from '../../core/auth/rate-limit.ts';
import { randomToken, sha256 } from '../../core/auth/tokens.ts';
import type { Database } from '../../core/db/database.ts';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import { sessionSettings, setSessionCookie } from '../../core/http/auth.routes.ts';
import { escapeHtml } from '../../core/http/html.ts';
import { newId } from '../../core/ids.ts';
import { DEFAULT_BASE_URL, WeComApiError, WeComClient } from './connector/client.ts';
import { corpRuntime } from './corps.service.ts';
import { secretsKey } from './secret-box.ts';

/**
 * 企业微信扫码登录 (issue 9 §5), contributed to admin's `sign-in-method` point (index.ts).
 *
 * `GET /wecom/sso/start?tenant=<code>` picks the tenant's corp that has an app (agent id + app
 * secret), stores a one-time state row, sets a browser cookie (its hash is in the row) and sends
 * the browser to WeCom's web login (`login.work.weixin.qq.com/wwlogin/sso/login`, or the same path
 * on the corp's base URL when it is the simulator) with a signed `state`.
 * `GET /wecom/sso/callback?code&state` checks the signature, expiry (10 min), the row (deleted on
 * use: single use) and the cookie, asks WeCom who scanned (`auth/getuserinfo` with the app token),
 * maps the WeCom userid to a Kehu user through the staff mapping and opens a session exactly as a
 * password sign-in does (core/auth openSession: session row, last_login_at, `login` audit). Every
 * refusal lands on the login page with an error code the page translates; failures are audited as
 * `login_failed` and count towards the address's sign-in back-off.
 */
export const SSO_COOKIE = 'kehu_wecom_sso';
const SSO_PATH = '/wecom/sso';
const STATE_TTL_MS = 10 * 60_000;
const WECOM_LOGIN_URL = 'https://login.work.weixin.qq.com/wwlogin/sso/login';
const WECOM_OAUTH_URL = 'https://open.weixin.qq.com/connect/oauth2/authorize';
/** Starts per address: each one stores a state row, so a flood is cut off before the database. */
export const startLimiter = new RateLimiter(30, 60_000);

/** What the login page is told (`?signInError=wecom.<code>`); apps/web i18n `login.signInError.wecom`. */
export type SsoError =
  | 'unavailable'
  | 'state'
  | 'expired'
  | 'cancelled'
  | 'throttled'
  | 'wecom'
  | 'not_member'
  | 'unknown_staff'
  | 'unmapped'
  | 'disabled';

/** Offered only where a corp has an app set up (agent id + app secret). */
export async function hasWecomSignIn(tx: Tx, tenantId: string): Promise<boolean> {
  return !!(
    await sql`select 1 from wecom_corps where tenant_id = ${tenantId} and deleted_at is null
      and app_secret is not null and agent_id is not null limit 1`.execute(tx)
  ).rows[0];
}

// ------------------------------------------------------------------ signed state

const stateKey = () => createHash('sha256').update('kehu wecom-sso state\n').update(secretsKey()).digest();
const uuidBytes = (id: string) => Buffer.from(id.replaceAll('-', ''), 'hex');
const uuidOf = (b: Buffer) => {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};
const mac = (payload: Buffer) => createHmac('sha256', stateKey()).update(payload).digest().subarray(0, 16);

/** tenant id (16) + state id (16) + expiry in epoch seconds (4), base64url, then a 128-bit HMAC: 71 chars. */
export function signState(tenantId: string, stateId: string, expiresAt: number): string {
  const exp = Buffer.alloc(4);
  exp.writeUInt32BE(Math.floor(expiresAt / 1000));
  const payload = Buffer.concat([uuidBytes(tenantId), uuidBytes(stateId), exp]);
  return `${payload.toString('base64url')}.${mac(payload).toString('base64url')}`;
}

export function verifyState(state: string): { tenantId: string; stateId: string; expiresAt: number } | null {
  if (typeof state !== 'string' || state.length > 128) return null;
  const [p, m] = state.split('.');
  if (!p || !m) return null;
  const payload = Buffer.from(p, 'base64url');
  const given = Buffer.from(m, 'base64url');
  if (payload.length !== 36 || given.length !== 16 || !timingSafeEqual(given, mac(payload))) return null;
  return {
    tenantId: uuidOf(payload.subarray(0, 16)),
    stateId: uuidOf(payload.subarray(16, 32)),
    expiresAt: payload.readUInt32BE(32) * 1000,
  };
}

// ------------------------------------------------------------------ routes

/** The address's sign-in back-off bucket for this method (per tenant and address, never per account). */
const bucketsFor = (tenantId: string, ip: string): Bucket[] => [
  { key: signInKey(`wecom-sso:${tenantId}`, '*'), ip, free: 5, capSeconds: 15 * 60 },
];

function origin(req: FastifyRequest): string {
  const configured = process.env.KEHU_PUBLIC_URL?.trim();
  if (configured) return configured.replace(/\/+$/, '');
  return `${req.protocol}://${req.host}`;
}

function toLogin(reply: FastifyReply, error: SsoError, tenant?: string) {
  const q = new URLSearchParams({ ...(tenant ? { tenant } : {}), signInError: `wecom.${error}` });
  return reply.header('cache-control', 'no-store').redirect(`/login?${q}`, 302);
}

async function tenantBySlug(database: Database, slug: string) {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(slug)) return undefined;
  return (
    await sql<{ id: string; slug: string }>`select id, slug from tenants where slug = ${slug}`.execute(
      database.db,
    )
  ).rows[0];
}

export async function registerSso(app: FastifyInstance, database: Database): Promise<void> {
  app.get(`${SSO_PATH}/start`, (req, reply) => begin(req, reply, 'web'));
  // The chat sidebar inside the WeCom client: set `<KEHU_PUBLIC_URL>/wecom/sso/sidebar?tenant=<code>`
  // as the app's 聊天工具栏 page; staff land on /sidebar signed in, without a password.
  app.get(`${SSO_PATH}/sidebar`, (req, reply) => begin(req, reply, 'sidebar'));

  async function begin(req: FastifyRequest, reply: FastifyReply, mode: 'web' | 'sidebar') {
    const q = req.query as { tenant?: string };
    const slug = String(q.tenant ?? '')
      .trim()
      .toLowerCase();
    startLimiter.count(req.ip);
    if (startLimiter.blockedFor(req.ip)) return toLogin(reply, 'throttled', slug || undefined);
    const tenant = await tenantBySlug(database, slug);
    if (!tenant) return toLogin(reply, 'unavailable', slug || undefined);
    const nonce = randomToken();
    const stateId = newId();
    const expiresAt = Date.now() + STATE_TTL_MS;
    const corp = await inTenant(database.db, tenant.id, async (tx) => {
      const c = (
        await sql<{ id: string; corp_id: string; agent_id: number; base_url: string }>`
          select id, corp_id, agent_id, base_url from wecom_corps where tenant_id = ${tenant.id}
            and deleted_at is null and app_secret is not null and agent_id is not null
          order by created_at limit 1`.execute(tx)
      ).rows[0];
      if (!c) return null;
      // Expired rows of the tenant go as new ones come (no sweeper needed).
      await sql`delete from wecom_sso_states where tenant_id = ${tenant.id} and expires_at < now()`.execute(
        tx,
      );
      await sql`insert into wecom_sso_states (tenant_id, id, corp_ref, browser_hash, expires_at, mode)
        values (${tenant.id}, ${stateId}, ${c.id}, ${sha256(nonce)}, ${new Date(expiresAt)}, ${mode})`.execute(
        tx,
      );
      return c;
    });
    if (!corp) return toLogin(reply, 'unavailable', slug);
    reply.setCookie(SSO_COOKIE, nonce, {
      httpOnly: true,
      // Lax: WeCom's redirect back is a top-level GET from another site, which Lax cookies follow.
      sameSite: 'lax',
      secure: sessionSettings().cookieSecure,
      path: SSO_PATH,
      maxAge: STATE_TTL_MS / 1000,
    });
    const base = corp.base_url.replace(/\/+$/, '');
    const state = signState(tenant.id, stateId, expiresAt);
    const redirectUri = `${origin(req)}${SSO_PATH}/callback`;
    if (mode === 'sidebar') {
      // WeCom's OAuth2 for pages opened in its client: snsapi_base answers silently with a code.
      const auth = new URL(base === DEFAULT_BASE_URL ? WECOM_OAUTH_URL : `${base}/connect/oauth2/authorize`);
      auth.search = new URLSearchParams({
        appid: corp.corp_id,
        redirect_uri: redirectUri,
        response_type: 'code',
        scope: 'snsapi_base',
        state,
        agentid: String(corp.agent_id),
      }).toString();
      auth.hash = 'wechat_redirect';
      return reply.header('cache-control', 'no-store').redirect(auth.toString(), 302);
    }
    const login = new URL(base === DEFAULT_BASE_URL ? WECOM_LOGIN_URL : `${base}/wwlogin/sso/login`);
    login.search = new URLSearchParams({
      login_type: 'CorpApp',
      appid: corp.corp_id,
      agentid: String(corp.agent_id),
      redirect_uri: redirectUri,
      state,
    }).toString();
    return reply.header('cache-control', 'no-store').redirect(login.toString(), 302);
  }

  app.get(`${SSO_PATH}/callback`, async (req, reply) => {
    const q = req.query as { code?: string; state?: string };
    const nonce = req.cookies[SSO_COOKIE];
    reply.clearCookie(SSO_COOKIE, { path: SSO_PATH });
    const st = verifyState(String(q.state ?? ''));
    if (!st) return toLogin(reply, 'state');
    const slug = (
      await sql<{ slug: string }>`select slug from tenants where id = ${st.tenantId}`.execute(database.db)
    ).rows[0]?.slug;
    if (!slug) return toLogin(reply, 'state');
    const ip = req.ip;
    const buckets = bucketsFor(st.tenantId, ip);
    try {
      await assertNotThrottled(database.db, buckets, ip);
    } catch {
      return toLogin(reply, 'throttled', slug);
    }
    let userid: string | undefined;
    const actor = (actorId: string | null) => ({
      tenantId: st.tenantId,
      actorId,
      actorKind: 'user' as const,
      ip,
      requestId: String(req.id),
    });
    const refuse = async (
      error: SsoError,
      meta: Record<string, unknown> = {},
      actorId: string | null = null,
    ) => {
      await inTenant(database.db, st.tenantId, (tx) =>
        writeAudit(tx, actor(actorId), {
          action: 'login_failed',
          meta: { method: 'wecom', reason: error, ...meta },
        }),
      );
      await recordFailure(database.db, buckets, ip);
      return mode === 'sidebar' ? sidebarRefusal(reply, error, slug, userid) : toLogin(reply, error, slug);
    };
    let mode = 'web';

    // Single use: the row goes whatever happens next.
    const row = await inTenant(
      database.db,
      st.tenantId,
      async (tx) =>
        (
          await sql<{ corp_ref: string; browser_hash: string; expires_at: Date; mode: string }>`
            delete from wecom_sso_states where tenant_id = ${st.tenantId} and id = ${st.stateId}
            returning corp_ref, browser_hash, expires_at, mode`.execute(tx)
        ).rows[0],
    );
    if (!row) return refuse('state', { detail: 'unknown or used' });
    mode = row.mode;
    if (!nonce || sha256(nonce) !== row.browser_hash) return refuse('state', { detail: 'other browser' });
    if (new Date(row.expires_at).getTime() < Date.now() || st.expiresAt < Date.now())
      return refuse('expired');
    const code = String(q.code ?? '');
    if (!code) return refuse('cancelled');
    if (code.length > 512) return refuse('state', { detail: 'bad code' });

    try {
      const corp = await inTenant(
        database.db,
        st.tenantId,
        (tx) => corpRuntime(tx, st.tenantId, row.corp_ref),
        {
          readOnly: true,
        },
      );
      if (!corp.secrets.app) return refuse('unavailable');
      const res = await new WeComClient(database, corp, 'app').get('auth/getuserinfo', { code });
      userid = typeof res.userid === 'string' && res.userid ? res.userid : undefined;
      if (!userid) return refuse('not_member');
    } catch (e) {
      if (e instanceof WeComApiError) return refuse('wecom', { errcode: e.errcode });
      req.log.error({ err: e }, 'wecom sso: getuserinfo failed');
      return refuse('wecom', { errcode: null });
    }

    const staff = await inTenant(
      database.db,
      st.tenantId,
      async (tx) =>
        (
          await sql<{ user_id: string | null; active: boolean; status: string | null }>`
            select s.user_id, s.active, u.status from wecom_staff s
            left join users u on u.tenant_id = s.tenant_id and u.id = s.user_id
            where s.tenant_id = ${st.tenantId} and s.corp_ref = ${row.corp_ref} and s.userid = ${userid}`.execute(
            tx,
          )
        ).rows[0],
      { readOnly: true },
    );
    if (!staff?.active) return refuse('unknown_staff', { userid });
    if (!staff.user_id || !staff.status) return refuse('unmapped', { userid });
    if (staff.status !== 'active') return refuse('disabled', { userid }, staff.user_id);

    const session = await inTenant(database.db, st.tenantId, (tx) =>
      openSession(
        tx,
        {
          tenantId: st.tenantId,
          userId: staff.user_id!,
          ip,
          userAgent: req.headers['user-agent'],
          requestId: String(req.id),
          method: 'wecom',
        },
        sessionSettings().sessionTtlHours,
      ),
    );
    await recordSuccess(database.db, buckets);
    setSessionCookie(reply, session);
    return reply.header('cache-control', 'no-store').redirect(mode === 'sidebar' ? '/sidebar' : '/', 302);
  });
}

/** What staff see in the sidebar when the silent sign-in is refused (zh-CN, then en-US). */
const SIDEBAR_TEXT: Record<SsoError, [string, string]> = {
  unavailable: ['企业微信登录未启用', 'WeCom sign-in is not set up for this company'],
  state: [
    '登录链接无效，请关闭侧边栏后重新打开',
    'The sign-in link is not valid; close and reopen the sidebar',
  ],
  expired: ['登录已过期，请关闭侧边栏后重新打开', 'The sign-in expired; close and reopen the sidebar'],
  cancelled: ['企业微信未授权登录', 'WeCom did not authorise the sign-in'],
  throttled: ['尝试次数过多，请稍后再试', 'Too many attempts; try again later'],
  wecom: ['企业微信暂时无法确认你的身份，请稍后再试', 'WeCom could not confirm who you are; try again later'],
  not_member: ['只有本企业成员可以使用侧边栏', 'Only members of the company can use the sidebar'],
  unknown_staff: [
    '你不在已同步的企业微信成员中，请联系管理员同步成员',
    'You are not among the synced WeCom members; ask an administrator to sync the staff',
  ],
  unmapped: [
    '你的企业微信账号还没有关联 Kehu 用户。请联系管理员在「企业微信 → 成员」中关联后重新打开侧边栏。',
    'Your WeCom account is not linked to a Kehu user yet. Ask an administrator to link it under “WeCom → Staff”, then reopen the sidebar.',
  ],
  disabled: ['你的 Kehu 账号已停用，请联系管理员', 'Your Kehu account is disabled; contact an administrator'],
};

/** The sidebar's refusal page: what happened in words, who WeCom said they are, and the password way in. */
function sidebarRefusal(reply: FastifyReply, error: SsoError, slug: string, userid?: string) {
  const [zh, en] = SIDEBAR_TEXT[error];
  const login = `/login?${new URLSearchParams({ tenant: slug, next: '/sidebar' })}`;
  return reply
    .status(error === 'throttled' ? 429 : 403)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>无法登录 · Kehu</title>
<style>body{margin:0;font:15px/1.6 -apple-system,"PingFang SC","Noto Sans SC",sans-serif;color:#1f2329;background:#f5f6f8}
main{max-width:420px;margin:0 auto;padding:32px 16px}h1{font-size:18px;margin:0 0 8px}p{margin:8px 0}.en{color:#6b7280;font-size:13px}
.id{font-family:monospace;color:#4e5969}a{color:#1677ff}</style></head>
<body><main data-testid="sidebar-signin-refused" data-error="${error}"><h1>无法自动登录</h1><p>${escapeHtml(zh)}</p>
${userid ? `<p class="id">企业微信账号：${escapeHtml(userid)}</p>` : ''}<p class="en" lang="en">${escapeHtml(en)}</p>
<p><a href="${escapeHtml(login)}">使用账号密码登录 · Sign in with a password</a></p></main></body></html>`);
}
