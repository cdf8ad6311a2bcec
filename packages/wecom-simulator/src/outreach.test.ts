import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Kit, kit, ok } from './test-kit.ts';

let k: Kit;
before(async () => {
  k = await kit();
});
after(() => k.close());

describe('群发 follow-ups: cancel_groupmsg_send, remind_groupmsg_send', () => {
  it('a cancelled mass message cannot be confirmed; reminders are limited to three a day', async () => {
    const c = k.corp();
    const ea = (await c.addFriendDirectly('zhao.jing', c.wechatUser({ name: 'A' }))).external_userid;
    const t = await k.token(c);
    const { msgid } = ok(
      await k.api('externalcontact/add_msg_template', t, {
        external_userid: [ea],
        sender: 'zhao.jing',
        text: { content: 'hi' },
      }),
    );
    for (let i = 0; i < 3; i++) ok(await k.api('externalcontact/remind_groupmsg_send', t, { msgid }));
    assert.notEqual((await k.api('externalcontact/remind_groupmsg_send', t, { msgid })).errcode, 0);
    assert.equal(c.pendingMassMessages('zhao.jing').length, 1);
    ok(await k.api('externalcontact/cancel_groupmsg_send', t, { msgid }));
    assert.equal(c.pendingMassMessages('zhao.jing').length, 0, 'staff see nothing to confirm');
    await assert.rejects(c.confirmMassMessage(msgid, 'zhao.jing'));
    assert.notEqual((await k.api('externalcontact/cancel_groupmsg_send', t, { msgid: 'nope' })).errcode, 0);
  });
});
