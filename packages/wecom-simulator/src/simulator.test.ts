import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startWeComSimulator, type WeComSimulator } from './index.ts';
import type { SimCorp } from './simulator.ts';
import { type Receiver, startReceiver } from './test-receiver.ts';

let sim: WeComSimulator;
let rx: Receiver;
let corp: SimCorp;
let n = 0;

async function api(
  path: string,
  token: string | undefined,
  body?: unknown,
  query: Record<string, string> = {},
) {
  const u = new URL(`${sim.url}/cgi-bin/${path}`);
  if (token) u.searchParams.set('access_token', token);
  for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
  const res = await fetch(u, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
  assert.equal(res.status, 200);
  return (await res.json()) as any;
}

async function token(c = corp, secret = 'contact-secret') {
  const r = await api('gettoken', undefined, undefined, { corpid: c.corpId, corpsecret: secret });
  assert.equal(r.errcode, 0, r.errmsg);
  return r.access_token as string;
}

function newCorp(extra: Partial<Parameters<WeComSimulator['addCorp']>[0]> = {}) {
  return sim.addCorp({
    corpId: `wwtest${++n}`,
    contactSecret: 'contact-secret',
    appSecret: 'app-secret',
    callback: { url: rx.url, token: rx.token, encodingAESKey: rx.encodingAESKey },
    staff: [
      { userid: 'zhao.jing', name: '赵静' },
      { userid: 'sun.lei', name: '孙磊' },
    ],
    ...extra,
  });
}

before(async () => {
  sim = await startWeComSimulator({ callbackRetryDelayMs: 0, callbackTimeoutMs: 500 });
  rx = await startReceiver();
  corp = newCorp();
});
after(async () => {
  await sim.close();
  await rx.close();
});

describe('access tokens', () => {
  it('issues a token for the right secret and refuses a wrong one or an unknown corp', async () => {
    const r = await api('gettoken', undefined, undefined, {
      corpid: corp.corpId,
      corpsecret: 'contact-secret',
    });
    assert.equal(r.expires_in, 7200);
    assert.equal(
      (await api('gettoken', undefined, undefined, { corpid: corp.corpId, corpsecret: 'nope' })).errcode,
      40001,
    );
    assert.equal(
      (await api('gettoken', undefined, undefined, { corpid: 'wwnone', corpsecret: 'x' })).errcode,
      40013,
    );
  });

  it('answers 41001 without a token and 40014 for a made-up one', async () => {
    assert.equal((await api('externalcontact/get_follow_user_list', undefined)).errcode, 41001);
    assert.equal((await api('externalcontact/get_follow_user_list', 'made-up')).errcode, 40014);
  });

  it('expires a token after 7200 s of simulator time (42001) and issues a fresh one', async () => {
    const c = newCorp();
    const t = await token(c);
    assert.equal((await api('externalcontact/get_follow_user_list', t)).errcode, 0);
    await sim.advanceTime(7199_000);
    assert.equal((await api('externalcontact/get_follow_user_list', t)).errcode, 0);
    await sim.advanceTime(1_000);
    const r = await api('externalcontact/get_follow_user_list', t);
    assert.equal(r.errcode, 42001);
    assert.match(r.errmsg, /more info at .*e=42001/);
    const t2 = await token(c);
    assert.notEqual(t2, t);
    assert.equal(c.apiCalls('gettoken'), 2, 'one token per 2 h: the second gettoken came after expiry');
    assert.equal(
      c.apiCalls('/cgi-bin/externalcontact/get_follow_user_list', 'contact'),
      2,
      'the expired call is not counted',
    );
    assert.equal((await api('externalcontact/get_follow_user_list', t2)).errcode, 0);
  });
});

describe('contact ways (联系我)', () => {
  it('adds, reads, updates and deletes a multi-staff way', async () => {
    const t = await token();
    const add = await api('externalcontact/add_contact_way', t, {
      type: 2,
      scene: 2,
      state: 'expo-2026',
      user: ['zhao.jing', 'sun.lei'],
      remark: '展会',
    });
    assert.equal(add.errcode, 0, add.errmsg);
    assert.match(add.qr_code, /^http/);
    const got = await api('externalcontact/get_contact_way', t, { config_id: add.config_id });
    assert.equal(got.contact_way.state, 'expo-2026');
    assert.deepEqual(got.contact_way.user, ['zhao.jing', 'sun.lei']);
    assert.equal(got.contact_way.skip_verify, true);
    const upd = await api('externalcontact/update_contact_way', t, {
      config_id: add.config_id,
      user: ['sun.lei'],
    });
    assert.equal(upd.errcode, 0);
    assert.deepEqual(
      (await api('externalcontact/get_contact_way', t, { config_id: add.config_id })).contact_way.user,
      ['sun.lei'],
    );
    assert.equal((await api('externalcontact/del_contact_way', t, { config_id: add.config_id })).errcode, 0);
    assert.equal(
      (await api('externalcontact/get_contact_way', t, { config_id: add.config_id })).errcode,
      40058,
    );
  });

  it('refuses a state longer than 30 characters (40058) and an unknown userid (60111)', async () => {
    const t = await token();
    const long = await api('externalcontact/add_contact_way', t, {
      type: 1,
      scene: 2,
      state: 'x'.repeat(31),
      user: ['zhao.jing'],
    });
    assert.equal(long.errcode, 40058);
    const ok30 = await api('externalcontact/add_contact_way', t, {
      type: 1,
      scene: 2,
      state: '展'.repeat(30),
      user: ['zhao.jing'],
    });
    assert.equal(ok30.errcode, 0);
    assert.equal(
      (await api('externalcontact/add_contact_way', t, { type: 1, scene: 2, user: ['nobody'] })).errcode,
      60111,
    );
    assert.equal(
      (await api('externalcontact/add_contact_way', t, { type: 1, scene: 2, user: ['zhao.jing', 'sun.lei'] }))
        .errcode,
      40058,
    );
  });

  it('rejects a body that is not JSON with 47001', async () => {
    const t = await token();
    const res = await fetch(`${sim.url}/cgi-bin/externalcontact/add_contact_way?access_token=${t}`, {
      method: 'POST',
      body: '{nope',
    });
    assert.equal(((await res.json()) as any).errcode, 47001);
  });
});

describe('a WeChat user scans a code', () => {
  it('adds the friend, calls back add_external_contact with State and WelcomeCode, and the welcome lands in the chat', async () => {
    const c = newCorp();
    const t = await token(c);
    const way = await api('externalcontact/add_contact_way', t, {
      type: 2,
      scene: 2,
      state: 'expo-2026',
      user: ['zhao.jing', 'sun.lei'],
    });
    const user = c.wechatUser({ name: '王小明', mobile: '13800138001' });
    const added = await c.scan(way.qr_code, user);
    assert.ok(['zhao.jing', 'sun.lei'].includes(added.userid));
    await sim.flushCallbacks();
    const ev = rx.events.find((e) => e.ExternalUserID === added.external_userid);
    assert.ok(ev, 'callback received and decrypted');
    assert.equal(ev.ToUserName, c.corpId);
    assert.equal(ev.Event, 'change_external_contact');
    assert.equal(ev.ChangeType, 'add_external_contact');
    assert.equal(ev.UserID, added.userid);
    assert.equal(ev.State, 'expo-2026');
    assert.ok(ev.WelcomeCode);
    assert.match(ev.CreateTime, /^\d{10}$/);

    const w = await api('externalcontact/send_welcome_msg', t, {
      welcome_code: ev.WelcomeCode,
      text: { content: '欢迎光临车展！' },
      attachments: [{ msgtype: 'link', link: { title: '活动介绍', url: 'https://example.com' } }],
    });
    assert.equal(w.errcode, 0, w.errmsg);
    const chat = c.chat(added.userid, added.external_userid);
    assert.deepEqual(
      chat.filter((m) => m.from === 'staff').map((m) => [m.kind, m.text]),
      [
        ['text', '欢迎光临车展！'],
        ['link', '活动介绍'],
      ],
    );
    // a welcome code works once
    assert.equal(
      (
        await api('externalcontact/send_welcome_msg', t, {
          welcome_code: ev.WelcomeCode,
          text: { content: 'again' },
        })
      ).errcode,
      40058,
    );

    const got = await api('externalcontact/get', t, undefined, { external_userid: added.external_userid });
    assert.equal(got.errcode, 0);
    assert.equal(got.external_contact.name, '王小明');
    assert.equal(got.follow_user[0].userid, added.userid);
    assert.equal(got.follow_user[0].state, 'expo-2026');
    assert.equal(c.contactWays()[0].scans, 1);
  });

  it('rotates multi-staff codes and lets a welcome code lapse after 20 s', async () => {
    const c = newCorp();
    const t = await token(c);
    const way = await api('externalcontact/add_contact_way', t, {
      type: 2,
      scene: 2,
      user: ['zhao.jing', 'sun.lei'],
    });
    const a = await c.scan(way.config_id, c.wechatUser({ name: 'A' }));
    const b = await c.scan(way.config_id, c.wechatUser({ name: 'B' }));
    assert.notEqual(a.userid, b.userid);
    await sim.flushCallbacks();
    const code = rx.events.find((e) => e.ExternalUserID === b.external_userid)!.WelcomeCode;
    await sim.advanceTime(20_001);
    assert.equal(
      (await api('externalcontact/send_welcome_msg', t, { welcome_code: code, text: { content: 'late' } }))
        .errcode,
      40058,
    );
  });

  it('pages contacts by staff with batch/get_by_user (limit ≤ 100) and lists them per staff', async () => {
    const c = newCorp();
    const t = await token(c);
    for (let i = 0; i < 7; i++) await c.addFriendDirectly('zhao.jing', c.wechatUser({ name: `客户${i}` }));
    const seen: string[] = [];
    let cursor = '';
    do {
      const r = await api('externalcontact/batch/get_by_user', t, {
        userid_list: ['zhao.jing'],
        cursor,
        limit: 3,
      });
      assert.equal(r.errcode, 0, r.errmsg);
      for (const row of r.external_contact_list) {
        assert.equal(row.follow_info.userid, 'zhao.jing');
        assert.ok(Array.isArray(row.follow_info.tag_id));
        seen.push(row.external_contact.external_userid);
      }
      cursor = r.next_cursor;
    } while (cursor);
    assert.equal(new Set(seen).size, 7);
    assert.equal(
      (await api('externalcontact/batch/get_by_user', t, { userid_list: ['zhao.jing'], limit: 101 })).errcode,
      40058,
    );
    const list = await api('externalcontact/list', t, undefined, { userid: 'zhao.jing' });
    assert.equal(list.external_userid.length, 7);
    assert.equal((await api('externalcontact/list', t, undefined, { userid: 'sun.lei' })).errcode, 84061);
    assert.equal(
      (await api('externalcontact/get', t, undefined, { external_userid: 'wmnope' })).errcode,
      40096,
    );
  });
});

describe('callback URL verification', () => {
  it('sends an encrypted echostr and accepts the decrypted answer', async () => {
    const r = await corp.verifyCallbackUrl();
    assert.equal(r.ok, true);
    assert.equal(r.status, 200);
  });
  it('fails verification when the receiver holds another key', async () => {
    const c = newCorp({ callback: { url: rx.url, token: 'other', encodingAESKey: rx.encodingAESKey } });
    assert.equal((await c.verifyCallbackUrl()).ok, false);
  });
});

describe('limits and injected failures', () => {
  it('answers 45009 past the per-minute limit until the window rolls over', async () => {
    const small = await startWeComSimulator({
      rateLimits: { perMinute: 5, perHour: 8 },
      now: () => Date.UTC(2026, 11, 6, 10, 0, 0),
    });
    try {
      const c = small.addCorp({ corpId: 'wwlimit', contactSecret: 's', staff: [{ userid: 'a', name: 'A' }] });
      const t = (await (
        await fetch(`${small.url}/cgi-bin/gettoken?corpid=wwlimit&corpsecret=s`)
      ).json()) as any;
      const call = async () =>
        (
          (await (
            await fetch(
              `${small.url}/cgi-bin/externalcontact/get_follow_user_list?access_token=${t.access_token}`,
            )
          ).json()) as any
        ).errcode;
      for (let i = 0; i < 5; i++) assert.equal(await call(), 0);
      assert.equal(await call(), 45009);
      await c.advanceTime(60_000);
      // refused calls count too: 6 so far this hour, 2 left
      assert.equal(await call(), 0);
      assert.equal(await call(), 0);
      assert.equal(await call(), 45009, 'the hourly window (8) is spent');
      await c.advanceTime(3_600_000);
      assert.equal(await call(), 0);
      assert.deepEqual(small.rateLimits, { perMinute: 5, perHour: 8 });
    } finally {
      await small.close();
    }
    assert.deepEqual(sim.rateLimits, { perMinute: 10_000, perHour: 150_000 });
  });

  it('fails the next calls of an API with an injected errcode', async () => {
    const c = newCorp();
    const t = await token(c);
    c.failNext('/cgi-bin/externalcontact/get_follow_user_list', 45033, 2);
    assert.equal((await api('externalcontact/get_follow_user_list', t)).errcode, 45033);
    assert.equal((await api('externalcontact/get_follow_user_list', t)).errcode, 45033);
    assert.equal((await api('externalcontact/get_follow_user_list', t)).errcode, 0);
  });
});
