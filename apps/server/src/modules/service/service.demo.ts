import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import type { DemoContext } from '../../engine/module.ts';

/**
 * The demo's service desk: five categories (安装, 维修, 保养, 投诉, 咨询) with their forms, SLA
 * policies, the regional service agents' skills, 30 tickets from every channel in every state
 * (some over their SLA), and ten knowledge-base articles — through the API as the people who
 * would do it. Ages are then spread over the last two weeks so the SLA badges tell a story.
 */
const CATEGORIES = [
  {
    key: 'install',
    name: '安装',
    nameEn: 'Installation',
    fields: [
      { key: 'address', label: '安装地址', type: 'text', required: true },
      {
        key: 'item',
        label: '安装项目',
        type: 'select',
        options: ['充电桩', '行车记录仪', '车衣', '脚垫'],
        required: true,
      },
    ],
  },
  {
    key: 'repair',
    name: '维修',
    nameEn: 'Repair',
    fields: [
      { key: 'plate', label: '车牌号', type: 'text', required: true },
      { key: 'mileage', label: '里程（公里）', type: 'number' },
      {
        key: 'part',
        label: '故障部位',
        type: 'select',
        options: ['发动机', '空调', '电池', '底盘', '车身', '电子设备'],
      },
    ],
  },
  {
    key: 'maintenance',
    name: '保养',
    nameEn: 'Maintenance',
    fields: [
      { key: 'plate', label: '车牌号', type: 'text', required: true },
      { key: 'date', label: '预约日期', type: 'date' },
    ],
  },
  { key: 'complaint', name: '投诉', nameEn: 'Complaint', fields: [] },
  { key: 'consult', name: '咨询', nameEn: 'Enquiry', fields: [] },
];

const POLICIES: [string | null, string, number, number][] = [
  [null, 'low', 480, 4320],
  [null, 'normal', 240, 2400],
  [null, 'high', 60, 960],
  [null, 'urgent', 30, 480],
  ['complaint', 'normal', 60, 960],
  ['complaint', 'high', 30, 480],
  ['repair', 'urgent', 15, 240],
];

type T = [
  cat: string,
  subject: string,
  desc: string,
  priority: string,
  channel: string,
  form: Record<string, unknown>,
];
const TICKETS: T[] = [
  [
    'repair',
    '空调不制冷',
    '开空调只出热风，昨天开始的。',
    'high',
    'phone',
    { plate: '沪A3K821', part: '空调', mileage: 23000 },
  ],
  [
    'repair',
    '仪表盘故障灯常亮',
    '发动机故障灯亮了，车还能开。',
    'urgent',
    'sidebar',
    { plate: '沪B77Q12', part: '发动机' },
  ],
  ['repair', '底盘异响', '过减速带有咯噔声。', 'normal', 'form', { plate: '浙A9X305', part: '底盘' }],
  [
    'repair',
    '续航下降明显',
    '满电只能跑 300 公里，之前 420。',
    'normal',
    'api',
    { plate: '粤B0E521', part: '电池', mileage: 41000 },
  ],
  [
    'repair',
    '中控屏黑屏',
    '启动后中控屏不亮，重启无效。',
    'high',
    'phone',
    { plate: '粤A6M208', part: '电子设备' },
  ],
  ['repair', '车门关不严', '左后门需要用力才能关上。', 'low', 'email', { plate: '浙B2P661', part: '车身' }],
  ['repair', '刹车有异响', '低速刹车吱吱响。', 'high', 'sidebar', { plate: '沪C1L093', part: '底盘' }],
  [
    'maintenance',
    '首保预约',
    '想约下周六上午首保。',
    'normal',
    'sidebar',
    { plate: '沪A5T310', date: '2026-12-12' },
  ],
  [
    'maintenance',
    '二保预约',
    '里程到了 2 万公里，预约保养。',
    'normal',
    'form',
    { plate: '浙A8G774', date: '2026-12-15' },
  ],
  ['maintenance', '保养套餐咨询', '保养套餐包含哪些项目？', 'low', 'phone', { plate: '粤B3R145' }],
  ['maintenance', '更换空调滤芯', '车里有异味，想换空调滤芯。', 'normal', 'sidebar', { plate: '粤A1F982' }],
  ['maintenance', '轮胎换季检查', '冬季前想做一次轮胎检查。', 'low', 'email', { plate: '沪B4H550' }],
  [
    'install',
    '家用充电桩安装',
    '小区物业已同意，请安排上门。',
    'normal',
    'form',
    { address: '上海市浦东新区张江路 88 弄', item: '充电桩' },
  ],
  [
    'install',
    '行车记录仪加装',
    '想加装前后双录记录仪。',
    'low',
    'phone',
    { address: '杭州市西湖区文三路 200 号', item: '行车记录仪' },
  ],
  [
    'install',
    '充电桩无法启动',
    '安装后一直红灯。',
    'high',
    'phone',
    { address: '深圳市南山区科技园南区 5 栋', item: '充电桩' },
  ],
  [
    'install',
    '车衣施工预约',
    '新车想贴隐形车衣。',
    'normal',
    'sidebar',
    { address: '广州市天河区体育西路 101 号', item: '车衣' },
  ],
  ['complaint', '交车时间一再推迟', '合同写的月底交车，现在说要等到下月。', 'high', 'phone', {}],
  ['complaint', '维修后问题复现', '上周修过的空调又不制冷了。', 'high', 'sidebar', {}],
  ['complaint', '服务顾问态度差', '到店等了一小时没人接待。', 'normal', 'email', {}],
  ['complaint', '保养费用与报价不符', '结算比报价多了 300 元。', 'normal', 'form', {}],
  ['consult', '以旧换新补贴政策', '旧车置换新车有什么补贴？', 'low', 'sidebar', {}],
  ['consult', '金融方案咨询', '首付 20% 月供多少？', 'normal', 'phone', {}],
  ['consult', '门店营业时间', '国庆期间门店营业吗？', 'low', 'form', {}],
  ['consult', '电池质保政策', '电池质保是几年几公里？', 'normal', 'email', {}],
  ['consult', '试驾预约', '想周末试驾新款 SUV。', 'normal', 'sidebar', {}],
  ['consult', '充电卡办理', '公共充电卡怎么办理？', 'low', 'api', {}],
  ['repair', '雨刮器不回位', '关闭后雨刮停在中间。', 'low', 'phone', { plate: '浙A6D237', part: '电子设备' }],
  [
    'repair',
    '胎压报警',
    '左前胎压报警，已补气还报。',
    'normal',
    'sidebar',
    { plate: '粤B8J416', part: '底盘' },
  ],
  ['maintenance', '保养提醒', '系统提示该保养了，帮我预约。', 'normal', 'api', { plate: '沪A9W702' }],
  ['complaint', '救援等待时间过长', '高速上等救援两个半小时。', 'urgent', 'phone', {}],
];

/** Where each ticket ends (index mod): a mix of every state. */
const FATE = [
  'open',
  'replied',
  'waiting',
  'resolved',
  'closed',
  'open',
  'replied',
  'closed',
  'open',
  'replied',
];

const ARTICLES: [string, string, string][] = [
  [
    '维修',
    '空调不制冷的常见原因与处理',
    '<p>空调不制冷多为<strong>冷媒不足</strong>、空调滤芯堵塞或压缩机故障。</p><ul><li>先检查空调滤芯，建议每 1 万公里更换</li><li>冷媒不足需到店检漏后加注</li><li>压缩机异响请立即停用并预约检修</li></ul>',
  ],
  [
    '维修',
    '发动机故障灯亮了怎么办',
    '<p>故障灯常亮可继续低速行驶至门店；<strong>闪烁</strong>时请靠边停车并联系救援。</p>',
  ],
  [
    '维修',
    '胎压报警处理方法',
    '<p>补气至标准胎压后，在车辆设置中<em>重置胎压监测</em>；仍报警可能是传感器故障。</p>',
  ],
  [
    '保养',
    '保养周期说明',
    '<p>首保 5000 公里或 6 个月，之后每 1 万公里或 12 个月保养一次，以先到者为准。</p>',
  ],
  [
    '保养',
    '保养套餐包含哪些项目',
    '<p>基础保养：机油、机滤、全车检查；深度保养另含空调滤芯、刹车油、冷却液。</p>',
  ],
  [
    '安装',
    '家用充电桩安装流程',
    '<h2>准备</h2><p>物业同意书、车位产权或租赁证明、电力报装。</p><h2>安装</h2><p>勘测 → 报装 → 施工 → 调试，通常 5–7 个工作日。</p>',
  ],
  [
    '安装',
    '充电桩无法启动排查',
    '<p>检查漏电保护开关、急停按钮是否弹起，枪头是否插好；红灯常亮请联系安装服务商。</p>',
  ],
  ['咨询', '电池质保政策', '<p>动力电池首任车主质保 8 年或 16 万公里，容量衰减超过 30% 免费更换。</p>'],
  ['咨询', '以旧换新补贴说明', '<p>置换补贴按旧车车龄与车型计算，最高 8000 元，可与地方消费券叠加。</p>'],
  [
    '投诉',
    '投诉处理时限承诺',
    '<p>投诉 1 个工作小时内响应，2 个工作日内给出处理方案；不满意可申请升级至区域经理。</p>',
  ],
];

export async function seedService(ctx: DemoContext): Promise<void> {
  const hq = await ctx.signIn('wang.jianguo');
  for (const c of CATEGORIES) await hq('POST', '/service/categories', c);
  for (const [categoryKey, priority, fr, res] of POLICIES)
    await hq('POST', '/service/sla-policies', {
      categoryKey,
      priority,
      firstResponseMinutes: fr,
      resolutionMinutes: res,
    });
  const look = await inTenant(ctx.database.db, ctx.tenantId, async (tx) => {
    const users = (await sql<any>`select id, login from users where tenant_id = ${ctx.tenantId}`.execute(tx))
      .rows;
    const contacts = (
      await sql<any>`select c.id, c.unit_id from contacts c join units u on u.tenant_id = c.tenant_id and u.id = c.unit_id
        where c.tenant_id = ${ctx.tenantId} and c.deleted_at is null and u.type = 'store' order by c.created_at limit 60`.execute(
        tx,
      )
    ).rows;
    return { user: new Map(users.map((u) => [u.login, u.id])), contacts };
  });
  await hq('PUT', `/service/agents/${look.user.get('zhou.xiaoyan')}/skills`, { categoryKeys: ['*'] });
  await hq('PUT', `/service/agents/${look.user.get('lin.lijuan')}/skills`, { categoryKeys: ['*'] });
  await hq('PUT', `/service/agents/${look.user.get('zhang.wei')}/skills`, {
    categoryKeys: ['repair', 'maintenance'],
  });
  await hq('PUT', `/service/agents/${look.user.get('wu.haitao')}/skills`, {
    categoryKeys: ['repair', 'install'],
  });

  const kb = await ctx.signIn('zhou.xiaoyan');
  for (const [category, title, bodyHtml] of ARTICLES)
    await kb('POST', '/service/kb', { title, category, bodyHtml, status: 'published', public: true });
  await kb('POST', '/service/kb', {
    title: '内部：投诉升级流程',
    category: '投诉',
    bodyHtml: '<p>超时未解决的投诉自动升级至区域经理，并抄送总部客服。</p>',
    status: 'draft',
  });

  const agents: Record<string, (m: string, p: string, b?: unknown) => Promise<any>> = {
    'zhou.xiaoyan': kb,
    'lin.lijuan': await ctx.signIn('lin.lijuan'),
    'zhang.wei': await ctx.signIn('zhang.wei'),
    'wu.haitao': await ctx.signIn('wu.haitao'),
  };
  const byId = new Map(Object.entries(agents).map(([login, call]) => [look.user.get(login), call]));
  for (const [i, [categoryKey, subject, description, priority, channel, form]] of TICKETS.entries()) {
    const contact = look.contacts[(i * 7) % Math.max(1, look.contacts.length)];
    const t = await hq('POST', '/service/tickets', {
      subject,
      description,
      categoryKey,
      priority,
      channel,
      form,
      kind: categoryKey === 'complaint' ? 'complaint' : 'request',
      ...(contact ? { contactId: contact.id, unitId: contact.unit_id } : {}),
      idempotencyKey: `demo-${i}`,
    });
    const call = byId.get(t.assigneeId) ?? hq;
    const fate = FATE[i % FATE.length]!;
    let d = t;
    if (fate !== 'open') {
      d = await call('POST', `/service/tickets/${t.id}/messages`, {
        kind: 'note',
        body: '已核实客户信息，准备联系。',
      });
      d = await call('POST', `/service/tickets/${t.id}/messages`, {
        kind: 'reply',
        body: `您好，关于「${subject}」我们已收到，会尽快为您处理。`,
      });
    }
    if (fate === 'waiting')
      d = await call('PATCH', `/service/tickets/${t.id}`, { version: d.version, status: 'waiting_customer' });
    if (fate === 'resolved' || fate === 'closed')
      d = await call('PATCH', `/service/tickets/${t.id}`, { version: d.version, status: 'resolved' });
    if (fate === 'closed')
      d = await call('PATCH', `/service/tickets/${t.id}`, { version: d.version, status: 'closed' });
    // spread the ages over two weeks (older tickets first), moving every instant together
    const hours = (TICKETS.length - i) * 11 + (i % 3) * 5;
    await inTenant(ctx.database.db, ctx.tenantId, async (tx) => {
      const shift = sql`make_interval(hours => ${hours})`;
      await sql`update service_tickets set created_at = created_at - ${shift}, updated_at = updated_at - ${shift},
          first_response_due_at = first_response_due_at - ${shift}, first_response_warn_at = first_response_warn_at - ${shift},
          resolution_due_at = resolution_due_at - ${shift}, resolution_warn_at = resolution_warn_at - ${shift},
          first_responded_at = first_responded_at - ${shift} + make_interval(mins => ${20 + (i % 5) * 40}),
          resolved_at = resolved_at - ${shift} + make_interval(hours => ${6 + (i % 4) * 4}),
          closed_at = closed_at - ${shift} + make_interval(hours => ${8 + (i % 4) * 4}),
          sla_paused_at = sla_paused_at - ${shift} + make_interval(hours => 2)
        where tenant_id = ${ctx.tenantId} and id = ${t.id}`.execute(tx);
      await sql`update service_ticket_messages set created_at = created_at - ${shift} + make_interval(mins => 20)
        where tenant_id = ${ctx.tenantId} and ticket_id = ${t.id} and kind <> 'customer'`.execute(tx);
      await sql`update service_ticket_messages set created_at = created_at - ${shift}
        where tenant_id = ${ctx.tenantId} and ticket_id = ${t.id} and kind = 'customer'`.execute(tx);
      await sql`update service_ticket_events set at = at - ${shift} where tenant_id = ${ctx.tenantId} and ticket_id = ${t.id}`.execute(
        tx,
      );
    });
  }
  await ctx.drain();
}
