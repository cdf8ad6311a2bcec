// The simulator's own surfaces beside WeCom's API: the scriptable /_sim/* HTTP API (what the demo page
// and non-JS clients drive), WeCom's web-login page, placeholder QR images and avatars, and the page.
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SimCorp, TagEdit, WeComSimulator } from './simulator.ts';

const PAGE = readFileSync(new URL('./page.html', import.meta.url), 'utf8');
const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  );

export function corpSnapshot(sim: WeComSimulator, c: SimCorp) {
  const s = c.state;
  return {
    corpId: c.corpId,
    name: s.name,
    agentId: s.agentId,
    callbackUrl: s.callback?.url ?? null,
    staff: c.staffList().map((x) => ({
      userid: x.userid,
      name: x.name,
      status: x.status,
      customers: x.customers,
      department: x.department,
    })),
    contactWays: c.contactWays(),
    joinWays: [...s.joinWays.values()]
      .filter((w) => !w.deleted)
      .map((w) => ({
        config_id: w.config_id,
        state: w.state,
        chat_id_list: w.chat_id_list,
        remark: w.remark,
      })),
    acquisitionLinks: c.acquisitionLinks(),
    acquisitionQuota: { ...s.acquisition },
    // The page shows the latest 200; a benchmark corp may hold 100k.
    contacts: c.externalContacts().slice(-200),
    contactsTotal: s.contacts.size,
    groups: c.groups().map((g) => ({
      chat_id: g.chat_id,
      name: g.name,
      owner: g.owner,
      status: g.status,
      members: g.members.length,
    })),
    tags: c.corpTags(),
    pendingRequests: c
      .pendingRequests()
      .map((r) => ({ userid: r.userid, userId: r.user.id, name: r.user.name, state: r.state, half: r.half })),
    pendingMass: c.pendingMassMessages(),
    transfers: c.transferResults(),
    callbacks: sim
      .callbacksLog(c.corpId)
      .slice(-30)
      .map((e) => ({
        id: e.id,
        event: e.event,
        changeType: e.changeType,
        delivered: e.delivered,
        lost: e.lost,
        attempts: e.attempts,
        lastStatus: e.lastStatus,
        at: e.at,
      })),
  };
}

export function registerWeb(app: FastifyInstance, sim: WeComSimulator): void {
  const corpOf = (id: string) => sim.corps.get(id);
  const user = (id: unknown) => {
    const u = typeof id === 'string' ? sim.ctx.wechatUsers.get(id) : undefined;
    if (!u) throw new Error('no such WeChat user');
    return u;
  };
  const run = async (reply: FastifyReply, fn: () => unknown) => {
    try {
      const out = await fn();
      return reply.send(out ?? { ok: true });
    } catch (e) {
      return reply.code(400).send({ error: (e as Error).message });
    }
  };
  const body = (b: unknown) =>
    (typeof b === 'string' && b ? JSON.parse(b) : (b ?? {})) as Record<string, any>;

  app.get('/', (_req, reply) => reply.type('text/html; charset=utf-8').send(PAGE));

  app.get('/_sim/state', () => ({
    now: sim.now(),
    lossRate: sim.callbacks.opts.lossRate,
    wechatUsers: [...sim.ctx.wechatUsers.values()].slice(-100).map((u) => ({
      id: u.id,
      name: u.name,
      mobile: u.mobile ?? null,
      avatar: u.avatar,
    })),
    corps: [...sim.corps.values()].map((c) => corpSnapshot(sim, c)),
  }));
  app.post('/_sim/advance', (req, reply) => run(reply, () => sim.advanceTime(Number(body(req.body).ms))));
  app.post('/_sim/loss-rate', (req, reply) => run(reply, () => sim.setLossRate(Number(body(req.body).rate))));
  app.post('/_sim/flush', (_req, reply) => run(reply, () => sim.flushCallbacks()));
  app.get('/_sim/callbacks', (req) => {
    const q = req.query as { corpId?: string };
    return sim.callbacksLog(q.corpId);
  });
  app.post('/_sim/wechat-users', (req, reply) =>
    run(reply, () => {
      const b = body(req.body);
      if (typeof b.name !== 'string' || !b.name.trim()) throw new Error('name required');
      return sim.wechatUser({
        name: b.name.trim(),
        mobile: b.mobile || undefined,
        unionid: b.unionid || undefined,
      });
    }),
  );

  // Everything a person does inside one corp.
  const actions: Record<string, (c: SimCorp, b: Record<string, any>) => unknown> = {
    scan: (c, b) => c.scan(String(b.code), user(b.userId), { half: b.half === true }),
    'add-friend': (c, b) => c.addFriendDirectly(String(b.userid), user(b.userId)),
    accept: (c, b) => c.staffAccepts(String(b.userid), user(b.userId)),
    'join-way-scan': (c, b) => c.scanJoinWay(String(b.code), user(b.userId)),
    'open-link': (c, b) => c.openAcquisitionLink(String(b.url), user(b.userId)),
    'customer-deletes': (c, b) => c.customerDeletesStaff(String(b.external_userid), String(b.userid)),
    'staff-deletes': (c, b) => c.staffDeletesCustomer(String(b.userid), String(b.external_userid)),
    'edit-contact': (c, b) => c.staffEditsContact(String(b.userid), String(b.external_userid), b.patch ?? {}),
    say: (c, b) =>
      b.from === 'staff'
        ? c.staffSays(String(b.userid), String(b.external_userid), String(b.text))
        : c.customerSays(String(b.userid), String(b.external_userid), String(b.text)),
    'add-staff': (c, b) =>
      c.addStaff({ userid: String(b.userid), name: String(b.name), mobile: b.mobile || undefined }),
    'staff-leaves': (c, b) => c.staffLeaves(String(b.userid)),
    'confirm-mass': (c, b) => c.confirmMassMessage(String(b.msgid), String(b.userid)),
    'refuse-transfer': (c, b) => c.customerRefusesTransfer(String(b.external_userid)),
    'edit-tag': (c, b) => c.editTagInWeCom(b as TagEdit),
    'create-group': (c, b) => c.createGroup(String(b.owner), String(b.name), (b.userIds ?? []).map(user)),
    'join-group': (c, b) => c.joinGroup(String(b.chat_id), user(b.userId), Number(b.scene ?? 1)),
    'leave-group': (c, b) => c.leaveGroup(String(b.chat_id), user(b.userId)),
    'dismiss-group': (c, b) => c.dismissGroup(String(b.chat_id)),
    'verify-callback': (c) => c.verifyCallbackUrl(),
    'fail-next': (c, b) => c.failNext(String(b.api), Number(b.errcode), Number(b.times ?? 1)),
    'oauth-code': (c, b) => ({ code: c.oauthCode(String(b.userid)) }),
    'acquisition-quota': (c, b) => c.setAcquisitionQuota(b),
    // 管理工具 → 会话内容存档 (the corp admin uploads Kehu's public key) and a customer's 同意/拒绝.
    'setup-archive': (c, b) =>
      c.setupChatArchive(
        {
          secret: String(b.secret),
          publicKeyPem: String(b.publicKeyPem),
          publicKeyVersion: Number(b.publicKeyVersion ?? 1),
        },
        { requireConsent: b.requireConsent !== false },
      ),
    'agree-archive': (c, b) =>
      c.agreeToArchive(String(b.userid), String(b.external_userid), b.agree !== false),
  };
  app.post('/_sim/corps/:corpId/:action', (req, reply) => {
    const { corpId, action } = req.params as { corpId: string; action: string };
    const c = corpOf(corpId);
    const fn = actions[action];
    if (!c || !fn) return reply.code(404).send({ error: c ? `no action ${action}` : `no corp ${corpId}` });
    return run(reply, () => fn(c, body(req.body)));
  });
  app.get('/_sim/corps/:corpId/chat', (req, reply) => {
    const c = corpOf((req.params as { corpId: string }).corpId);
    const q = req.query as { userid?: string; external_userid?: string };
    if (!c) return reply.code(404).send({ error: 'no such corp' });
    return c.chat(String(q.userid), String(q.external_userid));
  });

  // WeCom's web login (企业微信扫码登录): "scan as" one of the corp's staff, back to redirect_uri with a code.
  app.get('/wwlogin/sso/login', (req, reply) => {
    const q = req.query as Record<string, string>;
    const c = corpOf(q.appid);
    if (!c || !q.redirect_uri)
      return reply.code(400).type('text/plain; charset=utf-8').send('invalid appid or redirect_uri');
    if (q.agentid && Number(q.agentid) !== c.state.agentId)
      return reply.code(400).type('text/plain; charset=utf-8').send('invalid agentid');
    const staff = c.staffList().filter((s) => s.status === 1);
    const link = (userid: string) =>
      `/wwlogin/sso/confirm?${new URLSearchParams({ appid: c.corpId, as: userid, redirect_uri: q.redirect_uri, state: q.state ?? '' })}`;
    const items = staff
      .map(
        (s) =>
          `<li><a href="${esc(link(s.userid))}"><b>${esc(s.name)}</b> <span>${esc(s.userid)}</span></a></li>`,
      )
      .join('');
    return reply
      .type('text/html; charset=utf-8')
      .send(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>企业微信登录（模拟器）</title>
<style>body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;background:#f3f5f8;margin:0;padding:32px 12px;color:#1f2329}
main{max-width:420px;margin:auto;background:#fff;border-radius:10px;padding:24px;box-shadow:0 2px 12px #0001}
h1{font-size:18px;margin:0 0 4px}p{color:#646a73;font-size:13px;margin:0 0 16px}ul{list-style:none;padding:0;margin:0}
li a{display:flex;justify-content:space-between;align-items:center;padding:10px 12px;border:1px solid #e4e7ec;border-radius:8px;margin-bottom:8px;color:inherit;text-decoration:none}
li a:hover{border-color:#0f7bff;background:#f0f6ff}span{color:#8a9099;font-size:13px}</style></head>
<body><main><h1>企业微信扫码登录</h1><p>${esc(c.state.name)} · 模拟器：选择以哪位成员的身份“扫码”</p><ul>${items}</ul></main></body></html>`);
  });
  // WeCom's OAuth2 for pages opened inside its client (snsapi_base: silent, just the member's code).
  // The simulated client (/sidebar-host) remembers who is signed in to it in a cookie; a browser
  // outside it gets the web login's member picker (real WeCom would refuse outside its client).
  app.get('/connect/oauth2/authorize', (req, reply) => {
    const q = req.query as Record<string, string>;
    const c = corpOf(q.appid);
    if (!c || !q.redirect_uri)
      return reply.code(400).type('text/plain; charset=utf-8').send('invalid appid or redirect_uri');
    if (q.response_type !== 'code' || !['snsapi_base', 'snsapi_privateinfo'].includes(q.scope ?? ''))
      return reply.code(400).type('text/plain; charset=utf-8').send('invalid response_type or scope');
    if (q.agentid && Number(q.agentid) !== c.state.agentId)
      return reply.code(400).type('text/plain; charset=utf-8').send('invalid agentid');
    const who = clientUser(req.headers.cookie);
    const userid = who?.corpId === c.corpId ? who.userid : undefined;
    if (!userid || c.state.staff.get(userid)?.status !== 1)
      return reply.redirect(
        `/wwlogin/sso/login?${new URLSearchParams({ appid: c.corpId, agentid: q.agentid ?? '', redirect_uri: q.redirect_uri, state: q.state ?? '' })}`,
        302,
      );
    const to = new URL(q.redirect_uri);
    to.searchParams.set('code', c.oauthCode(userid));
    to.searchParams.set('state', q.state ?? '');
    return reply.redirect(to.toString(), 302);
  });
  app.get('/wwlogin/sso/confirm', (req, reply) => {
    const q = req.query as Record<string, string>;
    const c = corpOf(q.appid);
    if (!c || !q.redirect_uri) return reply.code(400).send('invalid appid or redirect_uri');
    let code: string;
    try {
      code = c.oauthCode(q.as);
    } catch {
      return reply.code(400).send('invalid userid');
    }
    const to = new URL(q.redirect_uri);
    to.searchParams.set('code', code);
    to.searchParams.set('state', q.state ?? '');
    return reply.redirect(to.toString(), 302);
  });

  // A 获客链接 opened in a browser: pick which WeChat user opens it (WeCom would show the staff's card).
  const linkCorp = (linkId: string) => [...sim.corps.values()].find((c) => c.state.links.has(linkId));
  const shell = (title: string, body: string) =>
    `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title>
<style>body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;background:#f3f5f8;margin:0;padding:32px 12px;color:#1f2329}
main{max-width:420px;margin:auto;background:#fff;border-radius:10px;padding:24px;box-shadow:0 2px 12px #0001}h1{font-size:18px;margin:0 0 8px}
p{color:#646a73;font-size:13px}a.u{display:block;padding:10px 12px;border:1px solid #e4e7ec;border-radius:8px;margin-bottom:8px;color:inherit;text-decoration:none}
a.u:hover{border-color:#07c160;background:#f0fbf5}</style></head><body><main>${body}</main></body></html>`;
  app.get('/_sim/ca/:linkId', (req, reply) => {
    const { linkId } = req.params as { linkId: string };
    const channel = (req.query as { customer_channel?: string }).customer_channel ?? '';
    const c = linkCorp(linkId);
    const link = c?.state.links.get(linkId);
    if (!c || !link || link.deleted)
      return reply
        .code(404)
        .type('text/html; charset=utf-8')
        .send(shell('链接已失效', '<h1>链接已失效</h1>'));
    const users = [...sim.ctx.wechatUsers.values()]
      .map(
        (u) =>
          `<a class="u" href="/_sim/ca/${esc(linkId)}/open?${esc(new URLSearchParams({ as: u.id, customer_channel: channel }).toString())}">以「${esc(u.name)}」打开</a>`,
      )
      .join('');
    return reply
      .type('text/html; charset=utf-8')
      .send(
        shell(
          link.link_name,
          `<h1>${esc(link.link_name)}</h1><p>${esc(c.state.name)} · 获客链接${channel ? ` · 渠道 ${esc(channel)}` : ''}。模拟器：选择哪位微信用户点开了链接。</p>${users || '<p>还没有微信用户。</p>'}`,
        ),
      );
  });
  app.get('/_sim/ca/:linkId/open', async (req, reply) => {
    const { linkId } = req.params as { linkId: string };
    const q = req.query as { as?: string; customer_channel?: string };
    const c = linkCorp(linkId);
    const u = q.as ? sim.ctx.wechatUsers.get(q.as) : undefined;
    if (!c || !u)
      return reply
        .code(404)
        .type('text/html; charset=utf-8')
        .send(shell('链接已失效', '<h1>链接已失效</h1>'));
    const url = new URL(`${sim.url}/_sim/ca/${linkId}`);
    if (q.customer_channel) url.searchParams.set('customer_channel', q.customer_channel);
    try {
      const r = await c.openAcquisitionLink(url.toString(), u);
      const staff = c.state.staff.get(r.userid)?.name ?? r.userid;
      return reply
        .type('text/html; charset=utf-8')
        .send(
          shell(
            '已添加',
            `<h1>已添加 ${esc(staff)}</h1><p>${esc(u.name)} 现在是 ${esc(staff)} 的客户。<a href="/">回到模拟器</a></p>`,
          ),
        );
    } catch (e) {
      return reply
        .code(400)
        .type('text/html; charset=utf-8')
        .send(shell('无法添加', `<h1>无法添加</h1><p>${esc((e as Error).message)}</p>`));
    }
  });

  // Placeholder images: WeCom hands out QR code and avatar URLs; ours are small SVGs.
  app.get('/_sim/qr/:id', (req, reply) => {
    const id = (req.params as { id: string }).id;
    let cells = '';
    let h = 0;
    for (const ch of id) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    for (let y = 0; y < 21; y++)
      for (let x = 0; x < 21; x++) {
        const finder = (x < 7 && y < 7) || (x > 13 && y < 7) || (x < 7 && y > 13);
        h = (h * 1103515245 + 12345) >>> 0;
        const on = finder
          ? x % 6 === 0 || y % 6 === 0 || (x % 14 >= 2 && x % 14 <= 4 && y % 14 >= 2 && y % 14 <= 4)
          : (h >>> 16) & 1;
        if (on) cells += `<rect x="${x + 2}" y="${y + 2}" width="1" height="1"/>`;
      }
    return reply
      .type('image/svg+xml')
      .send(
        `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 25 27" width="250" height="270"><rect width="25" height="27" fill="#fff"/><g fill="#111">${cells}</g><text x="12.5" y="26" font-size="1.4" text-anchor="middle" fill="#666">${esc(id.slice(0, 16))}</text></svg>`,
      );
  });
  app.get('/_sim/avatar/:file', (req, reply) => {
    const id = (req.params as { file: string }).file.replace(/\.svg$/, '');
    const u = sim.ctx.wechatUsers.get(id);
    const ch = esc([...(u?.name ?? '?')][0] ?? '?');
    return reply
      .type('image/svg+xml')
      .send(
        `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40" width="80" height="80"><rect width="40" height="40" rx="6" fill="#07c160"/><text x="20" y="27" font-size="20" text-anchor="middle" fill="#fff" font-family="sans-serif">${ch}</text></svg>`,
      );
  });
}

/** The member signed in to the simulated WeCom client (set when /sidebar-host opens a chat). */
export const CLIENT_COOKIE = 'wxwork_sim_user';
function clientUser(header: string | undefined): { corpId: string; userid: string } | undefined {
  const raw = (header ?? '')
    .split(';')
    .map((x) => x.trim())
    .find((x) => x.startsWith(`${CLIENT_COOKIE}=`));
  if (!raw) return undefined;
  const [corpId, userid] = decodeURIComponent(raw.slice(CLIENT_COOKIE.length + 1)).split(':');
  return corpId && userid ? { corpId, userid } : undefined;
}
