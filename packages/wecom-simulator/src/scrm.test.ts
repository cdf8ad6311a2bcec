import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Kit, kit, ok } from './test-kit.ts';

let k: Kit;
before(async () => {
  k = await kit();
});
after(() => k.close());

const eventsFor = (corpId: string) => k.rx.events.filter((e) => e.ToUserName === corpId);

describe('tags', () => {
  it('adds, lists, renames, marks and deletes corp tags through the API without callbacks', async () => {
    const c = k.corp();
    const t = await k.token(c);
    const add = ok(
      await k.api('externalcontact/add_corp_tag', t, {
        group_name: '意向',
        tag: [{ name: '高' }, { name: '低' }],
      }),
    );
    assert.equal(add.tag_group.tag.length, 2);
    const [high, low] = add.tag_group.tag.map((x: any) => x.id);
    assert.equal(
      (await k.api('externalcontact/add_corp_tag', t, { group_name: '意向', tag: [{ name: '高' }] })).errcode,
      40071,
    );
    ok(await k.api('externalcontact/edit_corp_tag', t, { id: high, name: '高意向' }));
    const list = ok(await k.api('externalcontact/get_corp_tag_list', t, {}));
    assert.deepEqual(
      list.tag_group[0].tag.map((x: any) => x.name),
      ['高意向', '低'],
    );

    const u = c.wechatUser({ name: '李娜' });
    const { external_userid } = await c.addFriendDirectly('zhao.jing', u);
    ok(
      await k.api('externalcontact/mark_tag', t, {
        userid: 'zhao.jing',
        external_userid,
        add_tag: [high, low],
        remove_tag: [],
      }),
    );
    ok(
      await k.api('externalcontact/mark_tag', t, { userid: 'zhao.jing', external_userid, remove_tag: [low] }),
    );
    const got = ok(await k.api('externalcontact/get', t, undefined, { external_userid }));
    assert.deepEqual(
      got.follow_user[0].tags.map((x: any) => [x.group_name, x.tag_name]),
      [['意向', '高意向']],
    );
    assert.equal(
      (
        await k.api('externalcontact/mark_tag', t, {
          userid: 'zhao.jing',
          external_userid,
          add_tag: ['etnope'],
        })
      ).errcode,
      40068,
    );
    assert.equal(
      (await k.api('externalcontact/mark_tag', t, { userid: 'sun.lei', external_userid, add_tag: [high] }))
        .errcode,
      84061,
    );

    ok(await k.api('externalcontact/del_corp_tag', t, { tag_id: [high, low] }));
    assert.deepEqual(
      ok(await k.api('externalcontact/get_corp_tag_list', t, {})).tag_group,
      [],
      'an emptied group goes',
    );
    assert.deepEqual(c.externalContacts()[0].follow_users[0].tags, []);
    await k.sim.flushCallbacks();
    assert.equal(eventsFor(c.corpId).filter((e) => e.Event === 'change_external_tag').length, 0);
  });

  it('calls back change_external_tag when an admin edits tags in WeCom, and edit_external_contact when staff tag a customer', async () => {
    const c = k.corp();
    const { ids } = await c.editTagInWeCom({ action: 'create', group_name: '车型', tags: ['SUV', '轿车'] });
    const group = c.corpTags()[0];
    await c.editTagInWeCom({ action: 'update', id: ids[0], name: 'SUV/越野' });
    await c.editTagInWeCom({ action: 'delete', id: ids[1] });
    const u = c.wechatUser({ name: '陈静怡' });
    const { external_userid } = await c.addFriendDirectly('sun.lei', u);
    await c.staffEditsContact('sun.lei', external_userid, {
      remark: '陈女士',
      remark_mobiles: ['13800138003'],
      add_tag: [ids[0]],
    });
    await k.sim.flushCallbacks();
    const ev = eventsFor(c.corpId);
    assert.deepEqual(
      ev.filter((e) => e.Event === 'change_external_tag').map((e) => [e.ChangeType, e.TagType, e.Id]),
      [
        ['create', 'tag_group', group.group_id],
        ['update', 'tag', ids[0]],
        ['delete', 'tag', ids[1]],
      ],
    );
    const edit = ev.find((e) => e.ChangeType === 'edit_external_contact')!;
    assert.equal(edit.UserID, 'sun.lei');
    const t = await k.token(c);
    const got = ok(await k.api('externalcontact/get', t, undefined, { external_userid }));
    assert.equal(got.follow_user[0].remark, '陈女士');
    assert.deepEqual(got.follow_user[0].remark_mobiles, ['13800138003']);
    assert.equal(got.follow_user[0].tags[0].tag_name, 'SUV/越野');
  });
});

describe('losing a customer', () => {
  it('del_follow_user when the customer deletes the staff member, del_external_contact the other way', async () => {
    const c = k.corp();
    const a = c.wechatUser({ name: 'A' });
    const b = c.wechatUser({ name: 'B' });
    const ea = (await c.addFriendDirectly('zhao.jing', a)).external_userid;
    const eb = (await c.addFriendDirectly('zhao.jing', b)).external_userid;
    await c.customerDeletesStaff(ea, 'zhao.jing');
    await c.staffDeletesCustomer('zhao.jing', eb);
    await k.sim.flushCallbacks();
    const changes = eventsFor(c.corpId)
      .filter((e) => e.Event === 'change_external_contact')
      .map((e) => [e.ChangeType, e.ExternalUserID]);
    assert.deepEqual(changes.slice(-2), [
      ['del_follow_user', ea],
      ['del_external_contact', eb],
    ]);
    const t = await k.token(c);
    // 被删 is one-way: the staff member still has A (get lists it), a mass message to A fails (status 2)
    assert.equal(
      ok(await k.api('externalcontact/get', t, undefined, { external_userid: ea })).follow_user[0].userid,
      'zhao.jing',
    );
    assert.equal((await k.api('externalcontact/get', t, undefined, { external_userid: eb })).errcode, 84061);
    await assert.rejects(c.customerDeletesStaff(ea, 'zhao.jing'));
    const mass = ok(
      await k.api('externalcontact/add_msg_template', t, { external_userid: [ea], text: { content: 'hi' } }),
    );
    await c.confirmMassMessage(mass.msgid, 'zhao.jing');
    const sent = ok(
      await k.api('externalcontact/get_groupmsg_send_result', t, { msgid: mass.msgid, userid: 'zhao.jing' }),
    );
    assert.equal(sent.send_list[0].status, 2);
    // A adds the staff member again: a new add_external_contact
    await c.addFriendDirectly('zhao.jing', a);
    await k.sim.flushCallbacks();
    assert.deepEqual(eventsFor(c.corpId).at(-1)?.ChangeType, 'add_external_contact');
    assert.equal(
      c.externalContacts().find((x) => x.external_userid === ea)?.follow_users[0].customerDeleted,
      false,
    );
  });

  it('waits for the staff member when the code needs verification, and plays add_half_external_contact', async () => {
    const c = k.corp();
    const t = await k.token(c);
    const way = ok(
      await k.api('externalcontact/add_contact_way', t, {
        type: 1,
        scene: 2,
        user: ['xu.ming'],
        skip_verify: false,
        state: 'verify',
      }),
    );
    const u = c.wechatUser({ name: '杨帆' });
    await c.scan(way.config_id, u);
    await k.sim.flushCallbacks();
    assert.equal(eventsFor(c.corpId).length, 0);
    assert.equal(c.pendingRequests().length, 1);
    await c.staffAccepts('xu.ming', u);
    const v = c.wechatUser({ name: '黄丽' });
    const open = ok(
      await k.api('externalcontact/add_contact_way', t, {
        type: 1,
        scene: 2,
        user: ['xu.ming'],
        state: 'half',
      }),
    );
    await c.scan(open.config_id, v, { half: true });
    await c.staffAccepts('xu.ming', v);
    await k.sim.flushCallbacks();
    assert.deepEqual(
      eventsFor(c.corpId).map((e) => [e.ChangeType, e.State]),
      [
        ['add_external_contact', 'verify'],
        ['add_half_external_contact', 'half'],
        ['add_external_contact', 'half'],
      ],
    );
  });
});

describe('staff directory', () => {
  it('sends change_contact for a new, changed and departed staff member; the directory follows', async () => {
    const c = k.corp();
    c.addStaff({ userid: 'ma.chao', name: '马超', mobile: '13900000001' });
    c.updateStaff('ma.chao', { name: '马超然' });
    await c.staffLeaves('ma.chao');
    await k.sim.flushCallbacks();
    assert.deepEqual(
      eventsFor(c.corpId).map((e) => [e.Event, e.ChangeType, e.UserID]),
      [
        ['change_contact', 'create_user', 'ma.chao'],
        ['change_contact', 'update_user', 'ma.chao'],
        ['change_contact', 'delete_user', 'ma.chao'],
      ],
    );
    const t = await k.token(c);
    const users = ok(await k.api('user/list', t, undefined, { department_id: '1' })).userlist.map(
      (u: any) => u.userid,
    );
    assert.deepEqual(users, ['zhao.jing', 'sun.lei', 'xu.ming']);
    assert.equal((await k.api('user/get', t, undefined, { userid: 'ma.chao' })).errcode, 60111);
  });
});

describe('customer groups', () => {
  it('lists and reads groups, calls back member changes with the scene, and auto-creates a room when full', async () => {
    const c = k.corp();
    const t = await k.token(c);
    const a = c.wechatUser({ name: '群友A' });
    const { chat_id } = await c.createGroup('zhao.jing', '车友群', [a]);
    const b = c.wechatUser({ name: '群友B' });
    await c.joinGroup(chat_id, b, 3);
    await c.leaveGroup(chat_id, a);
    const list = ok(await k.api('externalcontact/groupchat/list', t, { limit: 10 }));
    assert.deepEqual(list.group_chat_list, [{ chat_id, status: 0 }]);
    const got = ok(await k.api('externalcontact/groupchat/get', t, { chat_id, need_name: 1 }));
    assert.equal(got.group_chat.owner, 'zhao.jing');
    assert.deepEqual(
      got.group_chat.member_list.map((m: any) => [m.type, m.name, m.join_scene]),
      [
        [1, '赵静', 1],
        [2, '群友B', 3],
      ],
    );
    assert.equal((await k.api('externalcontact/groupchat/get', t, { chat_id: 'wrnope' })).errcode, 40050);
    await k.sim.flushCallbacks();
    const ev = eventsFor(c.corpId).filter((e) => e.Event === 'change_external_chat');
    assert.deepEqual(
      ev.map((e) => [e.ChangeType, e.UpdateDetail ?? '', e.JoinScene ?? e.QuitScene ?? '']),
      [
        ['create', '', ''],
        ['update', 'add_member', '3'],
        ['update', 'del_member', '0'],
      ],
    );
    assert.equal(ev[1].MemChangeList, c.externalUseridOf(b));

    const way = ok(
      await k.api('externalcontact/groupchat/add_join_way', t, {
        scene: 2,
        chat_id_list: [chat_id],
        state: 'expo-group',
        room_base_name: '车友群',
        room_base_id: 2,
      }),
    );
    const jw = ok(
      await k.api('externalcontact/groupchat/get_join_way', t, { config_id: way.config_id }),
    ).join_way;
    assert.equal(jw.state, 'expo-group');
    assert.equal(jw.auto_create_room, 1);
    for (let i = 0; i < 198; i++) await c.joinGroup(chat_id, c.wechatUser({ name: `m${i}` }));
    const late = await c.scanJoinWay(jw.qr_code, c.wechatUser({ name: '迟到的人' }));
    assert.notEqual(late.chat_id, chat_id);
    const newGroup = ok(
      await k.api('externalcontact/groupchat/get', t, { chat_id: late.chat_id }),
    ).group_chat;
    assert.equal(newGroup.name, '车友群2');
    assert.equal(newGroup.member_list[1].state, 'expo-group');

    c.groupSay(chat_id, 'zhao.jing', '欢迎');
    const now = Math.floor(k.sim.now() / 1000);
    const stat = ok(
      await k.api('externalcontact/groupchat/statistic', t, {
        day_begin_time: now - 86400,
        day_end_time: now,
        owner_filter: { userid_list: ['zhao.jing'] },
      }),
    );
    assert.equal(stat.items[0].data.chat_total, 2);
    assert.equal(stat.items[0].data.msg_total, 1);
  });
});

describe('transfers', () => {
  it('in-service: starts at once, completes after 24 h (status 2 → 1), at most 100 per call and twice per 90 days', async () => {
    const c = k.corp();
    let t = await k.token(c);
    const u = c.wechatUser({ name: '老客户' });
    const { external_userid } = await c.addFriendDirectly('zhao.jing', u);
    const tooMany = Array.from({ length: 101 }, (_, i) => `wm${i}`);
    assert.equal(
      (
        await k.api('externalcontact/transfer_customer', t, {
          handover_userid: 'zhao.jing',
          takeover_userid: 'sun.lei',
          external_userid: tooMany,
        })
      ).errcode,
      40058,
    );
    const r1 = ok(
      await k.api('externalcontact/transfer_customer', t, {
        handover_userid: 'zhao.jing',
        takeover_userid: 'sun.lei',
        external_userid: [external_userid, 'wmnope'],
        transfer_success_msg: '孙磊将继续为您服务',
      }),
    );
    assert.deepEqual(r1.customer, [
      { external_userid, errcode: 0 },
      { external_userid: 'wmnope', errcode: 40096 },
    ]);
    const waiting = ok(
      await k.api('externalcontact/transfer_result', t, {
        handover_userid: 'zhao.jing',
        takeover_userid: 'sun.lei',
      }),
    );
    assert.equal(waiting.customer[0].status, 2);
    assert.equal(c.chat('zhao.jing', external_userid).at(-1)?.text, '孙磊将继续为您服务');
    await c.advanceTime(24 * 3600_000);
    t = await k.token(c); // 24 h outlive the 2 h token
    const done = ok(
      await k.api('externalcontact/transfer_result', t, {
        handover_userid: 'zhao.jing',
        takeover_userid: 'sun.lei',
      }),
    );
    assert.equal(done.customer[0].status, 1);
    assert.ok(done.customer[0].takeover_time > 0);
    assert.deepEqual(
      c.externalContacts()[0].follow_users.map((f) => f.userid),
      ['sun.lei'],
    );

    // second transfer within 90 days is allowed, the third is not
    ok(
      await k.api('externalcontact/transfer_customer', t, {
        handover_userid: 'sun.lei',
        takeover_userid: 'xu.ming',
        external_userid: [external_userid],
      }),
    );
    await c.advanceTime(24 * 3600_000);
    t = await k.token(c); // 24 h outlive the 2 h token
    const third = ok(
      await k.api('externalcontact/transfer_customer', t, {
        handover_userid: 'xu.ming',
        takeover_userid: 'zhao.jing',
        external_userid: [external_userid],
      }),
    );
    assert.equal(third.customer[0].errcode, 40130);
    await c.advanceTime(89 * 86400_000);
    t = await k.token(c); // 24 h outlive the 2 h token
    const later = ok(
      await k.api('externalcontact/transfer_customer', t, {
        handover_userid: 'xu.ming',
        takeover_userid: 'zhao.jing',
        external_userid: [external_userid],
      }),
    );
    assert.equal(later.customer[0].errcode, 0, '90 days after the first transfer a slot is free again');
  });

  it('in-service: a refusal is status 3 with transfer_fail; a full takeover is status 4', async () => {
    const c = k.corp();
    let t = await k.token(c);
    const e1 = (await c.addFriendDirectly('zhao.jing', c.wechatUser({ name: '甲' }))).external_userid;
    const e2 = (await c.addFriendDirectly('zhao.jing', c.wechatUser({ name: '乙' }))).external_userid;
    ok(
      await k.api('externalcontact/transfer_customer', t, {
        handover_userid: 'zhao.jing',
        takeover_userid: 'sun.lei',
        external_userid: [e1, e2],
      }),
    );
    assert.equal(
      (
        await k.api('externalcontact/transfer_customer', t, {
          handover_userid: 'zhao.jing',
          takeover_userid: 'sun.lei',
          external_userid: [e1],
        })
      ).customer[0].errcode,
      40129,
    );
    await c.customerRefusesTransfer(e1);
    c.setMaxCustomersPerStaff(0);
    await c.advanceTime(24 * 3600_000);
    t = await k.token(c); // 24 h outlive the 2 h token
    const res = ok(
      await k.api('externalcontact/transfer_result', t, {
        handover_userid: 'zhao.jing',
        takeover_userid: 'sun.lei',
      }),
    );
    assert.deepEqual(
      res.customer.map((x: any) => [x.external_userid, x.status]),
      [
        [e1, 3],
        [e2, 4],
      ],
    );
    await k.sim.flushCallbacks();
    assert.deepEqual(
      eventsFor(c.corpId)
        .filter((e) => e.ChangeType === 'transfer_fail')
        .map((e) => [e.ExternalUserID, e.FailReason]),
      [
        [e1, 'customer_refused'],
        [e2, 'customer_limit_exceed'],
      ],
    );
  });

  it('resigned: customers of a departed staff member are unassigned until transferred; their groups too', async () => {
    const c = k.corp();
    let t = await k.token(c);
    const ids = [];
    for (let i = 0; i < 3; i++)
      ids.push((await c.addFriendDirectly('xu.ming', c.wechatUser({ name: `客${i}` }))).external_userid);
    const { chat_id } = await c.createGroup('xu.ming', '徐明的群');
    assert.equal(
      (
        await k.api('externalcontact/resigned/transfer_customer', t, {
          handover_userid: 'xu.ming',
          takeover_userid: 'zhao.jing',
          external_userid: ids,
        })
      ).errcode,
      40097,
    );
    await c.staffLeaves('xu.ming');
    const un = ok(await k.api('externalcontact/get_unassigned_list', t, { page_size: 2 }));
    assert.equal(un.info.length, 2);
    assert.equal(un.is_last, false);
    const rest = ok(
      await k.api('externalcontact/get_unassigned_list', t, { page_size: 2, cursor: un.next_cursor }),
    );
    assert.equal(rest.info.length, 1);
    assert.equal(rest.is_last, true);
    assert.equal(
      (await k.api('externalcontact/groupchat/list', t, { status_filter: 1 })).group_chat_list[0].chat_id,
      chat_id,
    );

    ok(
      await k.api('externalcontact/resigned/transfer_customer', t, {
        handover_userid: 'xu.ming',
        takeover_userid: 'zhao.jing',
        external_userid: ids,
      }),
    );
    assert.equal(ok(await k.api('externalcontact/get_unassigned_list', t, {})).info.length, 0);
    await c.advanceTime(24 * 3600_000);
    t = await k.token(c); // 24 h outlive the 2 h token
    const res = ok(
      await k.api('externalcontact/resigned/transfer_result', t, {
        handover_userid: 'xu.ming',
        takeover_userid: 'zhao.jing',
      }),
    );
    assert.deepEqual(
      res.customer.map((x: any) => x.status),
      [1, 1, 1],
    );
    const g = ok(
      await k.api('externalcontact/groupchat/transfer', t, {
        chat_id_list: [chat_id, 'wrnope'],
        new_owner: 'zhao.jing',
      }),
    );
    assert.deepEqual(
      g.failed_chat_list.map((f: any) => f.chat_id),
      ['wrnope'],
    );
    assert.equal(c.groups()[0].owner, 'zhao.jing');
  });
});

describe('callback delivery', () => {
  it('retries up to 3 times when the receiver is slow or failing, then gives up', async () => {
    const slow = await kit({ callbackTimeoutMs: 150 });
    try {
      const c = slow.corp();
      let calls = 0;
      slow.rx.behave = () => (++calls === 1 ? { delayMs: 600 } : calls === 2 ? { status: 500 } : undefined);
      await c.addFriendDirectly('zhao.jing', c.wechatUser({ name: '慢' }));
      await slow.sim.flushCallbacks();
      const [entry] = c.callbacksLog();
      assert.equal(entry.delivered, true);
      assert.equal(entry.attempts, 3);
      assert.ok(entry.deliveredAt! >= entry.sentAt!);
      assert.equal(slow.rx.events.length, 1);

      slow.rx.behave = () => ({ status: 503 });
      await c.addFriendDirectly('zhao.jing', c.wechatUser({ name: '挂' }));
      await slow.sim.flushCallbacks();
      const last = c.callbacksLog().at(-1)!;
      assert.equal(last.delivered, false);
      assert.equal(last.attempts, 4, 'the first try and 3 retries');
    } finally {
      await slow.close();
    }
  });

  it('drops a share of callbacks when a loss rate is set (reconciliation must repair them)', async () => {
    const lossy = await kit({ lossRate: 0.3, seed: 7 });
    try {
      const c = lossy.corp();
      for (let i = 0; i < 200; i++) await c.addFriendDirectly('zhao.jing', c.wechatUser({ name: `u${i}` }));
      await lossy.sim.flushCallbacks();
      const log = c.callbacksLog();
      const lost = log.filter((e) => e.lost).length;
      assert.ok(lost > 30 && lost < 90, `lost ${lost} of 200`);
      assert.equal(lossy.rx.events.length, 200 - lost);
      assert.ok(log.filter((e) => e.lost).every((e) => e.attempts === 0 && !e.delivered));
      // the API still knows every contact
      const t = await lossy.token(c);
      let total = 0;
      let cursor = '';
      do {
        const r = ok(
          await lossy.api('externalcontact/batch/get_by_user', t, {
            userid_list: ['zhao.jing'],
            cursor,
            limit: 100,
          }),
        );
        total += r.external_contact_list.length;
        cursor = r.next_cursor;
      } while (cursor);
      assert.equal(total, 200);
      lossy.sim.setLossRate(0);
      await c.addFriendDirectly('sun.lei', c.wechatUser({ name: 'sure' }));
      await lossy.sim.flushCallbacks();
      assert.equal(c.callbacksLog().at(-1)!.delivered, true);
    } finally {
      await lossy.close();
    }
  });
});

describe('corps are isolated', () => {
  it('gives the same WeChat user a different external_userid per corp and never shows one corp’s data to another', async () => {
    const a = k.corp();
    const b = k.corp();
    const person = a.wechatUser({ name: '两边都加', unionid: 'o-shared-unionid' });
    const ea = (await a.addFriendDirectly('zhao.jing', person)).external_userid;
    const eb = (await b.addFriendDirectly('zhao.jing', person)).external_userid;
    assert.notEqual(ea, eb);
    const ta = await k.token(a);
    const tb = await k.token(b);
    assert.equal(
      ok(await k.api('externalcontact/get', ta, undefined, { external_userid: ea })).external_contact.unionid,
      'o-shared-unionid',
    );
    assert.equal((await k.api('externalcontact/get', tb, undefined, { external_userid: ea })).errcode, 40096);
    const way = ok(
      await k.api('externalcontact/add_contact_way', ta, { type: 1, scene: 2, user: ['zhao.jing'] }),
    );
    assert.equal(
      (await k.api('externalcontact/get_contact_way', tb, { config_id: way.config_id })).errcode,
      40058,
    );
    await k.sim.flushCallbacks();
    assert.ok(k.rx.events.filter((e) => e.ExternalUserID === ea).every((e) => e.ToUserName === a.corpId));
    assert.equal(
      ok(
        await k.api('externalcontact/unionid_to_external_userid', tb, {
          unionid: 'o-shared-unionid',
          openid: 'x',
        }),
      ).external_userid,
      eb,
    );
    assert.equal(
      (await k.api('externalcontact/unionid_to_external_userid', tb, { unionid: 'o-nobody', openid: 'x' }))
        .errcode,
      84061,
    );
    b.setContactScope(['zhao.jing']);
    const check = ok(
      await k.api('externalcontact/check_follow_user', tb, { userid: ['zhao.jing', 'sun.lei'] }),
    );
    assert.deepEqual([check.authorized.userid, check.unauthorized.userid], [['zhao.jing'], ['sun.lei']]);
  });
});
