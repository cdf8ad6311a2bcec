// The demo corp `npm start` binds to Kehu's demo tenant: staff whose userids are the demo users' logins
// (apps/server/src/seed/demo-data.ts), a channel code or two, and a few WeChat users ready to scan.
import type { SimWeChatUser } from './model.ts';
import type { SimCorp, WeComSimulator } from './simulator.ts';

export const DEMO_CORP_ID = 'wwdemo0000kehu01';

export const DEMO_STAFF = [
  { userid: 'zhang.wei', name: '张伟', department: [2], position: '店长' },
  { userid: 'sun.lei', name: '孙磊', department: [2], position: '销售顾问' },
  { userid: 'zhao.jing', name: '赵静', department: [2], position: '销售顾问' },
  { userid: 'xu.ming', name: '徐明', department: [3], position: '销售顾问' },
  { userid: 'liu.yang', name: '刘洋', department: [4], position: '店长' },
  { userid: 'ma.chao', name: '马超', department: [4], position: '销售顾问' },
  { userid: 'zhu.ting', name: '朱婷', department: [4], position: '销售顾问' },
  { userid: 'hu.bin', name: '胡斌', department: [5], position: '销售顾问' },
];

const DEMO_WECHAT_USERS = [
  { name: '王小明', mobile: '13800138001', gender: 1 as const },
  { name: '李娜', mobile: '13800138002', gender: 2 as const },
  { name: '陈静怡', mobile: '13800138003', gender: 2 as const },
  { name: '刘强', gender: 1 as const },
  { name: '杨帆', mobile: '13800138005', gender: 1 as const },
  { name: '黄丽', gender: 2 as const },
];

export function startDemoCorp(
  sim: WeComSimulator,
  opts: {
    callbackUrl?: string;
    token?: string;
    encodingAESKey?: string;
    corpId?: string;
    contactSecret?: string;
    appSecret?: string;
  } = {},
): {
  corp: SimCorp;
  wechatUsers: SimWeChatUser[];
  contactSecret: string;
  appSecret: string;
  corpId: string;
  agentId: number;
} {
  const corpId = opts.corpId ?? DEMO_CORP_ID;
  const contactSecret = opts.contactSecret ?? 'demo-contact-secret-0000000000000000000000';
  const appSecret = opts.appSecret ?? 'demo-app-secret-000000000000000000000000000';
  const callback =
    opts.callbackUrl && opts.token && opts.encodingAESKey
      ? { url: opts.callbackUrl, token: opts.token, encodingAESKey: opts.encodingAESKey }
      : undefined;
  const corp = sim.addCorp({
    corpId,
    name: '示例集团',
    contactSecret,
    appSecret,
    agentId: 1000002,
    callback,
    departments: [
      { id: 1, name: '示例集团', parentid: 0, order: 100000000 },
      { id: 2, name: '浦东张江店', parentid: 1, order: 99999000 },
      { id: 3, name: '浦东金桥店', parentid: 1, order: 99998000 },
      { id: 4, name: '西湖文三路店', parentid: 1, order: 99997000 },
      { id: 5, name: '滨江江南大道店', parentid: 1, order: 99996000 },
    ],
    staff: DEMO_STAFF,
  });
  const wechatUsers = DEMO_WECHAT_USERS.map((u) => sim.wechatUser(u));
  return { corp, wechatUsers, contactSecret, appSecret, corpId, agentId: 1000002 };
}
