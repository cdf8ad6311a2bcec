// The simulated WeCom client around a chat tools page (聊天工具栏): `/sidebar-host` shows one open chat
// (a staff member with an external contact, or a group) and the app's page in an iframe; the page's
// JS-SDK (`/_sim/jweixin.js`) talks to this host, which answers through the /_sim/jsapi API.
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { group } from './api-groups.ts';
import { findSession, invoke, type JsSession, openSession } from './jsapi.ts';
import type { WeComSimulator } from './simulator.ts';

const SDK = readFileSync(new URL('./jweixin.js', import.meta.url), 'utf8');
const HOST = readFileSync(new URL('./sidebar-host.html', import.meta.url), 'utf8');

/** The open chat as the host shows it: who is in it and its messages, oldest first. */
export function sessionView(s: JsSession) {
  const corp = s.corp;
  const staff = corp.staff.get(s.userid);
  if (s.entry === 'single_chat_tools') {
    const c = corp.contact(s.externalUserId!);
    return {
      sid: s.sid,
      corpId: corp.corpId,
      entry: s.entry,
      staff: { userid: s.userid, name: staff?.name ?? s.userid },
      title: c.user.name,
      externalUserId: s.externalUserId,
      messages: [...(corp.chats.get(`${s.userid}|${s.externalUserId}`) ?? [])].map((m) => ({
        from: m.from,
        name: m.from === 'staff' ? (staff?.name ?? s.userid) : m.from === 'customer' ? c.user.name : '',
        kind: m.kind,
        text: m.text ?? '',
        payload: m.payload ?? null,
        at: m.at,
      })),
      shares: s.shares,
    };
  }
  const g = group(corp, s.chatId);
  return {
    sid: s.sid,
    corpId: corp.corpId,
    entry: s.entry,
    staff: { userid: s.userid, name: staff?.name ?? s.userid },
    title: g.name,
    chatId: s.chatId,
    members: g.members.size,
    messages: g.messages.map((m) => {
      const x = m as typeof m & { kind?: string; payload?: unknown };
      return {
        from: m.from === s.userid ? 'staff' : 'member',
        name: g.members.get(m.from)?.name ?? corp.staff.get(m.from)?.name ?? m.from,
        kind: x.kind ?? 'text',
        text: m.text,
        payload: x.payload ?? null,
        at: m.at,
      };
    }),
    shares: s.shares,
  };
}

export function registerSidebarHost(app: FastifyInstance, sim: WeComSimulator): void {
  const body = (b: unknown) =>
    (typeof b === 'string' && b ? JSON.parse(b) : (b ?? {})) as Record<string, any>;
  const session = (reply: FastifyReply, sid: string) => {
    const s = findSession(sim.ctx, sid);
    if (!s) reply.code(404).send({ error: 'no such session' });
    return s;
  };

  app.get('/_sim/jweixin.js', (_req, reply) =>
    reply.type('application/javascript; charset=utf-8').header('cache-control', 'no-cache').send(SDK),
  );
  app.get('/sidebar-host', (_req, reply) => reply.type('text/html; charset=utf-8').send(HOST));

  /** Opens a chat in the simulated client: { corpId, userid, external_userid | chat_id }. */
  app.post('/_sim/jsapi/sessions', (req, reply) => {
    const b = body(req.body);
    const c = sim.corps.get(String(b.corpId));
    if (!c) return reply.code(404).send({ error: 'no such corp' });
    try {
      const s = openSession(c.state, {
        userid: String(b.userid),
        external_userid: b.external_userid ? String(b.external_userid) : undefined,
        chat_id: b.chat_id ? String(b.chat_id) : undefined,
      });
      // The client is signed in as this member: WeCom's OAuth2 (snsapi_base) answers for them.
      reply.header(
        'set-cookie',
        `wxwork_sim_user=${encodeURIComponent(`${c.corpId}:${String(b.userid)}`)}; Path=/; SameSite=Lax; HttpOnly`,
      );
      return sessionView(s);
    } catch (e) {
      return reply.code(400).send({ error: (e as Error).message });
    }
  });
  app.get('/_sim/jsapi/sessions/:sid', (req, reply) => {
    const s = session(reply, (req.params as { sid: string }).sid);
    return s && sessionView(s);
  });
  /** One JS-SDK call from the page in this chat: { api, args, url } → the SDK's answer. */
  app.post('/_sim/jsapi/sessions/:sid/invoke', (req, reply) => {
    const s = session(reply, (req.params as { sid: string }).sid);
    if (!s) return;
    const b = body(req.body);
    if (typeof b.api !== 'string' || typeof b.url !== 'string')
      return reply.code(400).send({ error: 'api and url required' });
    return invoke(s, b.api, b.args ?? {}, b.url);
  });
}
