import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Kit, kit, ok } from './test-kit.ts';

let k: Kit;
before(async () => {
  k = await kit({ now: () => Date.UTC(2026, 11, 6, 2, 0, 0) }); // 10:00 in China
});
after(() => k.close());

describe('staff behaviour data', () => {
  it('counts adds, deletions, chats, messages, reply rate and reply time per China day', async () => {
    const c = k.corp();
    const t = await k.token(c);
    const a = (await c.addFriendDirectly('zhao.jing', c.wechatUser({ name: 'A' }))).external_userid;
    const b = (await c.addFriendDirectly('zhao.jing', c.wechatUser({ name: 'B' }))).external_userid;
    await c.addFriendDirectly('sun.lei', c.wechatUser({ name: 'C' }));
    c.customerSays('zhao.jing', a, '在吗？');
    await c.advanceTime(4 * 60_000);
    c.staffSays('zhao.jing', a, '在的');
    c.staffSays('zhao.jing', a, '请问有什么可以帮您');
    c.customerSays('zhao.jing', b, '价格多少');
    await c.customerDeletesStaff(b, 'zhao.jing');
    const day = Math.floor(Date.UTC(2026, 11, 5, 16, 0, 0) / 1000); // 2026-12-06 00:00 China time
    const r = ok(
      await k.api('externalcontact/get_user_behavior_data', t, {
        userid: ['zhao.jing'],
        start_time: day,
        end_time: day,
      }),
    );
    assert.deepEqual(r.behavior_data, [
      {
        stat_time: day,
        chat_cnt: 1,
        message_cnt: 2,
        reply_percentage: 50,
        avg_reply_time: 4,
        negative_feedback_cnt: 1,
        new_apply_cnt: 2,
        new_contact_cnt: 2,
      },
    ]);
    const two = ok(
      await k.api('externalcontact/get_user_behavior_data', t, {
        userid: ['zhao.jing', 'sun.lei'],
        start_time: day - 86400,
        end_time: day,
      }),
    );
    assert.deepEqual(
      two.behavior_data.map((d: any) => d.new_contact_cnt),
      [0, 3],
    );
    assert.equal(
      (
        await k.api('externalcontact/get_user_behavior_data', t, {
          userid: ['zhao.jing'],
          start_time: day - 31 * 86400,
          end_time: day,
        })
      ).errcode,
      40058,
    );
  });
});

describe('customer acquisition links (获客助手)', () => {
  it('creates a link, adds the customer with customer_channel as State, and warns once when the balance runs low', async () => {
    const c = k.corp();
    const t = await k.token(c);
    const created = ok(
      await k.api('externalcontact/customer_acquisition/create_link', t, {
        link_name: '抖音投放',
        range: { user_list: ['zhao.jing', 'sun.lei'] },
      }),
    );
    const { link_id, url } = created.link;
    assert.deepEqual(
      ok(await k.api('externalcontact/customer_acquisition/list_link', t, { limit: 10 })).link_id_list,
      [link_id],
    );
    assert.deepEqual(
      ok(await k.api('externalcontact/customer_acquisition/get', t, { link_id })).range.user_list,
      ['zhao.jing', 'sun.lei'],
    );
    c.setAcquisitionQuota({ total: 10, balance: 3, lowThreshold: 2 });
    const first = await c.openAcquisitionLink(
      `${url}?customer_channel=douyin-1206`,
      c.wechatUser({ name: '抖音客户' }),
    );
    await c.openAcquisitionLink(url, c.wechatUser({ name: '二' }));
    await c.openAcquisitionLink(url, c.wechatUser({ name: '三' }));
    await assert.rejects(c.openAcquisitionLink(url, c.wechatUser({ name: '四' })), /quota exhausted/);
    await k.sim.flushCallbacks();
    const ev = k.rx.events.filter((e) => e.ToUserName === c.corpId);
    assert.deepEqual(ev[0].State, 'douyin-1206');
    assert.equal(ev[0].ExternalUserID, first.external_userid);
    assert.deepEqual(
      ev.filter((e) => e.Event === 'customer_acquisition').map((e) => e.ChangeType),
      ['balance_low', 'balance_exhausted'],
    );
    const quota = ok(await k.api('externalcontact/customer_acquisition_quota', t));
    assert.equal(quota.balance, 0);
    const customers = ok(await k.api('externalcontact/customer_acquisition/customer', t, { link_id }));
    assert.equal(customers.customer_list[0].state, 'douyin-1206');
    ok(await k.api('externalcontact/customer_acquisition/delete_link', t, { link_id }));
    assert.equal((await k.api('externalcontact/customer_acquisition/get', t, { link_id })).errcode, 40058);
  });
});

describe('web login', () => {
  it('exchanges a one-time code for the userid with the app token only', async () => {
    const c = k.corp();
    const app = await k.token(c, 'app-secret');
    const contact = await k.token(c);
    const code = c.oauthCode('zhao.jing');
    assert.equal((await k.api('auth/getuserinfo', contact, undefined, { code })).errcode, 48002);
    assert.equal(ok(await k.api('auth/getuserinfo', app, undefined, { code })).userid, 'zhao.jing');
    assert.equal(
      (await k.api('auth/getuserinfo', app, undefined, { code })).errcode,
      40029,
      'codes work once',
    );
  });

  it('serves a login page listing staff that redirects with code and state', async () => {
    const c = k.corp();
    const redirect = 'http://127.0.0.1:9/after-login';
    const page = await fetch(
      `${k.sim.url}/wwlogin/sso/login?login_type=CorpApp&appid=${c.corpId}&agentid=1000002&redirect_uri=${encodeURIComponent(redirect)}&state=xyz`,
    );
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /赵静/);
    const href = /href="([^"]*as=zhao\.jing[^"]*)"/.exec(html)?.[1].replaceAll('&amp;', '&');
    assert.ok(href);
    const res = await fetch(new URL(href, k.sim.url), { redirect: 'manual' });
    assert.equal(res.status, 302);
    const to = new URL(res.headers.get('location')!);
    assert.equal(to.origin + to.pathname, redirect);
    assert.equal(to.searchParams.get('state'), 'xyz');
    const app = await k.token(c, 'app-secret');
    assert.equal(
      ok(await k.api('auth/getuserinfo', app, undefined, { code: to.searchParams.get('code')! })).userid,
      'zhao.jing',
    );
    const bad = await fetch(
      `${k.sim.url}/wwlogin/sso/login?appid=wwnope&redirect_uri=${encodeURIComponent(redirect)}`,
    );
    assert.equal(bad.status, 400);
  });
});

describe('mass messages (群发)', () => {
  it('creates a task per staff member, waits for them to confirm, then lands in the chats', async () => {
    const c = k.corp();
    const t = await k.token(c);
    const a = (await c.addFriendDirectly('zhao.jing', c.wechatUser({ name: 'A' }))).external_userid;
    const b = (await c.addFriendDirectly('sun.lei', c.wechatUser({ name: 'B' }))).external_userid;
    const r = ok(
      await k.api('externalcontact/add_msg_template', t, {
        chat_type: 'single',
        external_userid: [a, b, 'wmnope'],
        text: { content: '双十二试驾礼' },
      }),
    );
    assert.deepEqual(r.fail_list, ['wmnope']);
    assert.deepEqual(
      c
        .pendingMassMessages()
        .map((p) => p.userid)
        .sort(),
      ['sun.lei', 'zhao.jing'],
    );
    await c.confirmMassMessage(r.msgid, 'zhao.jing');
    assert.equal(c.chat('zhao.jing', a).at(-1)?.text, '双十二试驾礼');
    const tasks = ok(await k.api('externalcontact/get_groupmsg_task', t, { msgid: r.msgid }));
    assert.deepEqual(
      tasks.task_list.map((x: any) => [x.userid, x.status]),
      [
        ['zhao.jing', 2],
        ['sun.lei', 0],
      ],
    );
    const sent = ok(
      await k.api('externalcontact/get_groupmsg_send_result', t, { msgid: r.msgid, userid: 'zhao.jing' }),
    );
    assert.deepEqual(
      sent.send_list.map((x: any) => [x.external_userid, x.status]),
      [[a, 1]],
    );
    const now = Math.floor(k.sim.now() / 1000);
    const list = ok(
      await k.api('externalcontact/get_groupmsg_list_v2', t, {
        chat_type: 'single',
        start_time: now - 3600,
        end_time: now + 3600,
      }),
    );
    assert.equal(list.group_msg_list[0].msgid, r.msgid);
  });
});

describe('the scriptable /_sim API', () => {
  it('lets a plain HTTP client create a WeChat user, scan a code, chat and read the state', async () => {
    const c = k.corp();
    const t = await k.token(c);
    const way = ok(
      await k.api('externalcontact/add_contact_way', t, {
        type: 1,
        scene: 2,
        user: ['zhao.jing'],
        state: 'http',
      }),
    );
    const post = async (path: string, body: unknown) => {
      const r = await fetch(`${k.sim.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: r.status, json: (await r.json()) as any };
    };
    const u = await post('/_sim/wechat-users', { name: '脚本用户' });
    assert.equal(u.status, 200);
    const scan = await post(`/_sim/corps/${c.corpId}/scan`, { code: way.qr_code, userId: u.json.id });
    assert.equal(scan.json.userid, 'zhao.jing');
    await post(`/_sim/corps/${c.corpId}/say`, {
      userid: 'zhao.jing',
      external_userid: scan.json.external_userid,
      from: 'customer',
      text: '你好',
    });
    const chat = (await (
      await fetch(
        `${k.sim.url}/_sim/corps/${c.corpId}/chat?userid=zhao.jing&external_userid=${scan.json.external_userid}`,
      )
    ).json()) as any[];
    assert.equal(chat.at(-1).text, '你好');
    const state = (await (await fetch(`${k.sim.url}/_sim/state`)).json()) as any;
    const mine = state.corps.find((x: any) => x.corpId === c.corpId);
    assert.equal(mine.contacts[0].follow_users[0].state, 'http');
    assert.equal(
      (await post(`/_sim/corps/${c.corpId}/scan`, { code: 'nope', userId: u.json.id })).status,
      400,
    );
    assert.equal((await post('/_sim/corps/wwnope/scan', {})).status, 404);
    const page = await fetch(`${k.sim.url}/`);
    assert.match(await page.text(), /企业微信模拟器/);
  });
});

describe('pages a person opens', () => {
  it('opens a 获客链接 in a browser as a chosen WeChat user, keeping customer_channel', async () => {
    const c = k.corp();
    const t = await k.token(c);
    const { link } = ok(
      await k.api('externalcontact/customer_acquisition/create_link', t, {
        link_name: '小红书',
        range: { user_list: ['sun.lei'] },
      }),
    );
    const u = c.wechatUser({ name: '小红书用户' });
    const landing = await fetch(`${link.url}?customer_channel=xhs-01`);
    const html = await landing.text();
    assert.match(html, /小红书用户/);
    const href = /href="([^"]*as=[^"]*)"/.exec(html.replaceAll('&amp;', '&'));
    assert.ok(href?.[1].includes(u.id) || html.includes(u.id));
    const open = await fetch(`${k.sim.url}/_sim/ca/${link.link_id}/open?as=${u.id}&customer_channel=xhs-01`);
    assert.equal(open.status, 200);
    assert.match(await open.text(), /孙磊/);
    assert.equal(c.externalContacts().find((x) => x.name === '小红书用户')?.follow_users[0].state, 'xhs-01');
  });

  it('stops a temporary contact way after its expires_in', async () => {
    const c = k.corp();
    const t = await k.token(c);
    const way = ok(
      await k.api('externalcontact/add_contact_way', t, {
        type: 1,
        scene: 2,
        user: ['zhao.jing'],
        is_temp: true,
        expires_in: 3600,
      }),
    );
    await c.scan(way.config_id, c.wechatUser({ name: '临时' }));
    await c.advanceTime(3601_000);
    await assert.rejects(c.scan(way.config_id, c.wechatUser({ name: '太晚' })), /expired/);
  });
});

describe('group mass messages and the 客户联系 scope', () => {
  it('sends a mass message to the owner’s groups once the owner confirms', async () => {
    const c = k.corp();
    const t = await k.token(c);
    const { chat_id } = await c.createGroup('sun.lei', '试驾群', [c.wechatUser({ name: '群友' })]);
    const r = ok(
      await k.api('externalcontact/add_msg_template', t, {
        chat_type: 'group',
        sender: 'sun.lei',
        text: { content: '周六试驾' },
      }),
    );
    assert.deepEqual(
      c.pendingMassMessages().map((p) => [p.userid, p.targets]),
      [['sun.lei', [chat_id]]],
    );
    await c.confirmMassMessage(r.msgid, 'sun.lei');
    const sent = ok(
      await k.api('externalcontact/get_groupmsg_send_result', t, { msgid: r.msgid, userid: 'sun.lei' }),
    );
    assert.deepEqual(
      sent.send_list.map((x: any) => [x.chat_id, x.status]),
      [[chat_id, 1]],
    );
    const now = Math.floor(k.sim.now() / 1000);
    const stat = ok(
      await k.api('externalcontact/groupchat/statistic', t, {
        day_begin_time: now - 86400,
        day_end_time: now,
        owner_filter: { userid_list: ['sun.lei'] },
      }),
    );
    assert.equal(stat.items[0].data.msg_total, 1);
  });

  it('answers 60011 for staff outside the 客户联系 permission', async () => {
    const c = k.corp();
    const t = await k.token(c);
    c.setContactScope(['zhao.jing']);
    assert.deepEqual(ok(await k.api('externalcontact/get_follow_user_list', t)).follow_user, ['zhao.jing']);
    assert.equal(
      (await k.api('externalcontact/batch/get_by_user', t, { userid_list: ['sun.lei'] })).errcode,
      60011,
    );
    assert.equal(
      (await k.api('externalcontact/add_contact_way', t, { type: 1, scene: 2, user: ['sun.lei'] })).errcode,
      60011,
    );
    c.setContactScope(null);
    assert.equal(
      (await k.api('externalcontact/add_contact_way', t, { type: 1, scene: 2, user: ['sun.lei'] })).errcode,
      0,
    );
  });
});
