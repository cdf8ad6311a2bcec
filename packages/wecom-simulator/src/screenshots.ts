// Screenshots of the simulator's page (docs/screenshots/wecom-simulator-*.png):
// node packages/wecom-simulator/src/screenshots.ts [outDir]. Needs /usr/bin/chromium.
import { chromium } from 'playwright-core';

const out = process.argv[2] ?? 'docs/screenshots';

import { startDemoCorp, startWeComSimulator } from './index.ts';
import { startReceiver } from './test-receiver.ts';

const rx = await startReceiver();
const sim = await startWeComSimulator({ seed: 3 });
const demo = startDemoCorp(sim, { callbackUrl: rx.url, token: rx.token, encodingAESKey: rx.encodingAESKey });
const c = demo.corp;
const api = async (p: string, body?: unknown, q = '') => {
  const t = (await (
    await fetch(`${sim.url}/cgi-bin/gettoken?corpid=${demo.corpId}&corpsecret=${demo.contactSecret}`)
  ).json()) as any;
  return (await (
    await fetch(
      `${sim.url}/cgi-bin/${p}?access_token=${t.access_token}${q}`,
      body ? { method: 'POST', body: JSON.stringify(body) } : {},
    )
  ).json()) as any;
};
const way = await api('externalcontact/add_contact_way', {
  type: 2,
  scene: 2,
  state: 'expo-2026',
  user: ['zhao.jing', 'sun.lei'],
  remark: '2026 车展',
});
await api('externalcontact/add_contact_way', {
  type: 1,
  scene: 2,
  state: 'store-zj',
  user: ['zhang.wei'],
  remark: '张江店门店码',
  skip_verify: false,
});
const tag = await api('externalcontact/add_corp_tag', { group_name: '来源', tag: [{ name: '车展' }] });
const r = await c.scan(way.qr_code, demo.wechatUsers[0]);
await sim.flushCallbacks();
const ev = rx.events.at(-1)!;
await api('externalcontact/send_welcome_msg', {
  welcome_code: ev.WelcomeCode,
  text: { content: '您好，欢迎来到 2026 车展！我是您的专属顾问。' },
  attachments: [{ msgtype: 'link', link: { title: '车展试驾预约', url: 'https://example.com' } }],
});
await api('externalcontact/mark_tag', {
  userid: r.userid,
  external_userid: r.external_userid,
  add_tag: [tag.tag_group.tag[0].id],
});
c.customerSays(r.userid, r.external_userid, '请问周末可以试驾吗？');
await c.scan(way.qr_code, demo.wechatUsers[1]);
const lost = await c.addFriendDirectly('ma.chao', demo.wechatUsers[2]);
await c.customerDeletesStaff(lost.external_userid, 'ma.chao');
await api('externalcontact/customer_acquisition/create_link', {
  link_name: '抖音投放 12 月',
  range: { user_list: ['zhu.ting', 'hu.bin'] },
});
const g = await c.createGroup('zhao.jing', '车展车友群', [demo.wechatUsers[0]]);
await api('externalcontact/add_msg_template', {
  chat_type: 'single',
  external_userid: [r.external_userid],
  text: { content: '双十二试驾礼限时领取' },
});
await sim.flushCallbacks();
void g;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
for (const [w, h, name] of [
  [1366, 900, '1366'],
  [390, 844, '390'],
] as const) {
  const page = await browser.newPage({ viewport: { width: w, height: h }, locale: 'zh-CN' });
  await page.goto(sim.url);
  await page.waitForSelector('#contacts li button');
  await page.click(`button[data-chat^="${r.userid}|"]`);
  await page.waitForSelector('.msg.staff');
  await page.screenshot({ path: `${out}/wecom-simulator-${name}.png`, fullPage: name === '1366' });
  await page.close();
}
// login page
const page = await browser.newPage({ viewport: { width: 390, height: 700 } });
await page.goto(
  `${sim.url}/wwlogin/sso/login?login_type=CorpApp&appid=${demo.corpId}&agentid=1000002&redirect_uri=${encodeURIComponent('http://127.0.0.1:1/cb')}&state=s`,
);
await page.screenshot({ path: `${out}/wecom-simulator-login-390.png` });
await browser.close();
await sim.close();
await rx.close();
