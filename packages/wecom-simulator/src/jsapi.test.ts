import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { jsapiSignature } from './jsapi.ts';
import { type Kit, kit, ok } from './test-kit.ts';

let k: Kit;
before(async () => {
  k = await kit({ seed: 611 });
});
after(() => k.close());

const PAGE = 'http://127.0.0.1:3000/sidebar?x=1';

async function post(path: string, body: unknown) {
  const res = await fetch(`${k.sim.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
}

async function setUp() {
  const corp = k.corp();
  const user = corp.wechatUser({ name: '王小明' });
  const { external_userid } = await corp.addFriendDirectly('zhao.jing', user);
  const { chat_id } = await corp.createGroup('zhao.jing', '车主群', [user]);
  const appToken = await k.token(corp, 'app-secret');
  const corpTicket = ok(await k.api('get_jsapi_ticket', appToken)).ticket as string;
  const agentTicket = ok(await k.api('ticket/get', appToken, undefined, { type: 'agent_config' }))
    .ticket as string;
  return { corp, user, external_userid, chat_id, corpTicket, agentTicket };
}

const signed = (ticket: string, url = PAGE) => {
  const nonceStr = 'n0nce';
  const timestamp = 1_765_000_000;
  return { nonceStr, timestamp, signature: jsapiSignature(ticket, nonceStr, timestamp, url) };
};

describe('JS-SDK tickets', () => {
  it('need the app token; a second ask while valid returns the same ticket', async () => {
    const corp = k.corp();
    const contactToken = await k.token(corp);
    const refused = await k.api('get_jsapi_ticket', contactToken);
    assert.equal(refused.errcode, 48002);
    const appToken = await k.token(corp, 'app-secret');
    const a = ok(await k.api('get_jsapi_ticket', appToken));
    const b = ok(await k.api('get_jsapi_ticket', appToken));
    assert.equal(a.ticket, b.ticket);
    assert.equal(a.expires_in, 7200);
    const wrongType = await k.api('ticket/get', appToken, undefined, { type: 'other' });
    assert.equal(wrongType.errcode, 40058);
    const agent = ok(await k.api('ticket/get', appToken, undefined, { type: 'agent_config' }));
    assert.notEqual(agent.ticket, a.ticket);
  });
});

describe('the chat tools client (/_sim/jsapi)', () => {
  it('agentConfig verifies the signature; the chat calls answer like WeCom', async () => {
    const s = await setUp();
    const opened = await post('/_sim/jsapi/sessions', {
      corpId: s.corp.corpId,
      userid: 'zhao.jing',
      external_userid: s.external_userid,
    });
    assert.equal(opened.status, 200, JSON.stringify(opened.body));
    const sid = opened.body.sid;
    const call = async (api: string, args: unknown, url = PAGE) =>
      (await post(`/_sim/jsapi/sessions/${sid}/invoke`, { api, args, url })).body;

    // Before agentConfig nothing is granted.
    assert.equal((await call('getContext', {})).errMsg, 'getContext:fail no permission');
    const jsApiList = ['getContext', 'getCurExternalContact', 'sendChatMessage'];
    const base = { corpid: s.corp.corpId, agentid: s.corp.state.agentId, jsApiList };
    // Signed with the wrong ticket, for another page, or tampered: refused.
    assert.equal(
      (await call('agentConfig', { ...base, ...signed(s.corpTicket) })).errMsg,
      'agentConfig:fail invalid signature',
    );
    assert.equal(
      (await call('agentConfig', { ...base, ...signed(s.agentTicket, 'http://evil.test/') })).errMsg,
      'agentConfig:fail invalid signature',
    );
    assert.equal(
      (await call('agentConfig', { ...base, ...signed(s.agentTicket), agentid: 1 })).errMsg,
      'agentConfig:fail invalid agentid',
    );
    // The fragment is not signed.
    const good = await call('agentConfig', { ...base, ...signed(s.agentTicket) }, `${PAGE}#/x`);
    assert.equal(good.errMsg, 'agentConfig:ok');
    const cfg = await call('config', { appId: s.corp.corpId, ...signed(s.corpTicket) });
    assert.equal(cfg.errMsg, 'config:ok');
    assert.equal(
      (await call('config', { appId: s.corp.corpId, ...signed(s.agentTicket) })).errMsg,
      'config:fail invalid signature',
    );

    assert.deepEqual(await call('getContext', {}), {
      entry: 'single_chat_tools',
      shareTicket: '',
      errMsg: 'getContext:ok',
    });
    assert.equal((await call('getCurExternalContact', {})).userId, s.external_userid);
    // Not in the granted list.
    assert.equal((await call('getCurExternalChat', {})).errMsg, 'getCurExternalChat:fail no permission');
    assert.equal(
      (await call('sendChatMessage', { msgtype: 'text' })).errMsg,
      'sendChatMessage:fail invalid param',
    );
    const sent = await call('sendChatMessage', { msgtype: 'text', text: { content: '您好，报价已发' } });
    assert.equal(sent.errMsg, 'sendChatMessage:ok');
    const news = await call('sendChatMessage', {
      msgtype: 'news',
      news: { link: 'https://example.com/a', title: '保养套餐', desc: '', imgUrl: '' },
    });
    assert.equal(news.errMsg, 'sendChatMessage:ok');
    const chat = s.corp.chat('zhao.jing', s.external_userid);
    assert.deepEqual(
      chat.slice(-2).map((m) => [m.from, m.kind, m.text]),
      [
        ['staff', 'text', '您好，报价已发'],
        ['staff', 'news', '[链接] 保养套餐'],
      ],
    );
    // The customer can open the link: the host shows it with its payload.
    const view = (await (await fetch(`${k.sim.url}/_sim/jsapi/sessions/${sid}`)).json()) as any;
    assert.equal(view.messages.at(-1).payload.link, 'https://example.com/a');

    // The customer deleted the staff member: messages to them fail.
    await s.corp.customerDeletesStaff(s.external_userid, 'zhao.jing');
    assert.equal(
      (await call('sendChatMessage', { msgtype: 'text', text: { content: 'x' } })).errMsg,
      'sendChatMessage:fail not external contact',
    );
  });

  it('group chat: getCurExternalChat and messages into the group; bad sessions refused', async () => {
    const s = await setUp();
    const opened = await post('/_sim/jsapi/sessions', {
      corpId: s.corp.corpId,
      userid: 'zhao.jing',
      chat_id: s.chat_id,
    });
    const sid = opened.body.sid;
    const call = async (api: string, args: unknown) =>
      (await post(`/_sim/jsapi/sessions/${sid}/invoke`, { api, args, url: PAGE })).body;
    const jsApiList = [
      'getContext',
      'getCurExternalContact',
      'getCurExternalChat',
      'sendChatMessage',
      'shareAppMessage',
    ];
    const r = await call('agentConfig', {
      corpid: s.corp.corpId,
      agentid: s.corp.state.agentId,
      jsApiList,
      ...signed(s.agentTicket),
    });
    assert.equal(r.errMsg, 'agentConfig:ok');
    assert.equal((await call('getContext', {})).entry, 'group_chat_tools');
    assert.equal((await call('getCurExternalChat', {})).chatId, s.chat_id);
    assert.equal(
      (await call('getCurExternalContact', {})).errMsg,
      'getCurExternalContact:fail not allow to cur entry',
    );
    assert.equal(
      (await call('sendChatMessage', { msgtype: 'text', text: { content: '群公告' } })).errMsg,
      'sendChatMessage:ok',
    );
    assert.equal(
      (await call('shareAppMessage', { title: 't', link: 'https://example.com/s' })).errMsg,
      'shareAppMessage:ok',
    );
    const view = (await (await fetch(`${k.sim.url}/_sim/jsapi/sessions/${sid}`)).json()) as any;
    assert.equal(view.messages.at(-1).text, '群公告');
    assert.equal(view.shares.length, 1);

    // A chat the staff member is not in, an unknown session.
    const other = s.corp.wechatUser({ name: '路人' });
    await s.corp.addFriendDirectly('sun.lei', other);
    const refused = await post('/_sim/jsapi/sessions', {
      corpId: s.corp.corpId,
      userid: 'zhao.jing',
      external_userid: k.sim.corp(s.corp.corpId).externalUseridOf(other),
    });
    assert.equal(refused.status, 400);
    assert.equal(
      (await post('/_sim/jsapi/sessions/nope/invoke', { api: 'getContext', url: PAGE })).status,
      404,
    );
    const sdk = await fetch(`${k.sim.url}/_sim/jweixin.js`);
    assert.match(await sdk.text(), /agentConfig/);
    const host = await fetch(`${k.sim.url}/sidebar-host`);
    assert.match(await host.text(), /聊天工具栏/);
  });
});
