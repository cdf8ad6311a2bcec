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

describe('add_msg_template attachments, as WeCom checks them', () => {
  const upload = async (token: string, type: string, name: string, size = 64) => {
    const body = `--b\r\nContent-Disposition: form-data; name="media"; filename="${name}"; filelength=${size}\r\nContent-Type: application/octet-stream\r\n\r\n${'x'.repeat(size)}\r\n--b--\r\n`;
    const res = await fetch(`${k.sim.url}/cgi-bin/media/upload?access_token=${token}&type=${type}`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=b' },
      body,
    });
    return ok((await res.json()) as any).media_id as string;
  };

  it('media ids must be live uploads of the right type; at most 9; text ≤ 4000 bytes', async () => {
    const c = k.corp();
    const ea = (await c.addFriendDirectly('zhao.jing', c.wechatUser({ name: 'A' }))).external_userid;
    const t = await k.token(c);
    const image = await upload(t, 'image', 'poster.png');
    const file = await upload(t, 'file', 'brochure.pdf');
    const send = (attachments: unknown[], text = 'hi') =>
      k.api('externalcontact/add_msg_template', t, {
        external_userid: [ea],
        sender: 'zhao.jing',
        text: { content: text },
        attachments,
      });
    const mini = (pic: string) => ({
      msgtype: 'miniprogram',
      miniprogram: { title: '预约试驾', pic_media_id: pic, appid: 'wx123', page: 'pages/a?x=1' },
    });
    assert.equal((await send([{ msgtype: 'image', image: { media_id: 'nope' } }])).errcode, 40007);
    assert.equal(
      (await send([{ msgtype: 'image', image: { media_id: file } }])).errcode,
      40004,
      'a file as image',
    );
    assert.equal((await send([{ msgtype: 'file', file: { media_id: image } }])).errcode, 40004);
    assert.equal((await send([mini(file)])).errcode, 40004, 'a mini-program cover is an image');
    assert.equal((await send([{ msgtype: 'voice', voice: { media_id: image } }])).errcode, 40058);
    const link = { msgtype: 'link', link: { title: 't', url: 'https://example.com' } };
    assert.equal((await send(Array.from({ length: 10 }, () => link))).errcode, 40058, 'at most 9');
    assert.equal((await send([], '字'.repeat(1334))).errcode, 40058, '4002 bytes of text');
    const { msgid } = ok(
      await send([
        { msgtype: 'image', image: { media_id: image } },
        { msgtype: 'file', file: { media_id: file } },
        mini(image),
        link,
      ]),
    );
    await c.confirmMassMessage(msgid, 'zhao.jing');
    const kinds = c
      .chat('zhao.jing', ea)
      .filter((m) => m.from === 'staff')
      .map((m) => m.kind);
    assert.deepEqual(kinds, ['text', 'image', 'file', 'miniprogram', 'link']);
    // Three days on the uploads are gone: WeCom answers 40007 and the app must upload again.
    await c.advanceTime(3 * 86_400_000 + 1000);
    const t2 = await k.token(c);
    const again = await k.api('externalcontact/add_msg_template', t2, {
      external_userid: [ea],
      sender: 'zhao.jing',
      attachments: [{ msgtype: 'image', image: { media_id: image } }],
    });
    assert.equal(again.errcode, 40007);
  });
});
