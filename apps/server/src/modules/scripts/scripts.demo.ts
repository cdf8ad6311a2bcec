import type { DemoContext } from '../../engine/module.ts';

/**
 * The demo's 话术库: HQ's company scripts for auto, real-estate and home-furnishing sales in
 * five categories (as in 销售易 SCRM's library), one a dealer adds for its own stores, and a
 * salesperson's personal one; told through the public API as the people who would write them.
 */
type Row = [category: string, title: string, body: string, stages: string[], tags: string[]];

const CATEGORIES: [string, string[]][] = [
  ['开场白', ['首次添加', '节日问候']],
  ['邀约到店', ['试驾邀约', '看房看样']],
  ['异议处理', ['价格', '竞品对比']],
  ['促单', []],
  ['售后回访', []],
];

const HQ_SCRIPTS: Row[] = [
  [
    '开场白/首次添加',
    '首次添加-汽车',
    '您好，我是{门店}的销售顾问{姓名}，感谢您关注我们的新车。\n您最近是在看哪一款车型？我可以先把配置和到店优惠发给您参考。',
    ['discovery'],
    [],
  ],
  [
    '开场白/首次添加',
    '首次添加-新房',
    '您好，我是{楼盘}置业顾问{姓名}。您留意的户型我整理了一份资料，包括面积、朝向和首付测算，方便的话我发您看看？',
    ['discovery'],
    [],
  ],
  [
    '开场白/首次添加',
    '首次添加-全屋定制',
    '您好，欢迎了解我们的全屋定制！请问您家是新房装修还是旧房翻新？告诉我户型面积，我先给您出一版预算参考。',
    ['discovery'],
    [],
  ],
  [
    '开场白/节日问候',
    '国庆节问候',
    '国庆快乐！假期出行注意安全。店里国庆期间有专属礼包，到店即可领取，欢迎带家人来坐坐。',
    [],
    [],
  ],
  [
    '开场白/节日问候',
    '春节问候',
    '新春快乐，祝您和家人新的一年平安顺遂！年前到店的客户我们准备了新春礼品，欢迎来店里喝杯茶。',
    [],
    [],
  ],
  [
    '邀约到店/试驾邀约',
    '邀约试驾-周末',
    '这周末店里有试驾专场，您可以带家人一起来体验一下动力和空间。周六上午还是下午方便？我提前帮您把车准备好。',
    ['solution', 'trust'],
    ['purchase_intent'],
  ],
  [
    '邀约到店/试驾邀约',
    '邀约试驾-新能源',
    '新能源车型的续航和智能驾驶，开一次比看十篇评测都直观。我给您约个 40 分钟的深度试驾，含高速路段，您看哪天合适？',
    ['solution'],
    ['new_energy'],
  ],
  [
    '邀约到店/看房看样',
    '邀约看房',
    '您关注的那套南向三居还在，这周有开放日，我带您现场看一下采光和小区环境，顺便算一下贷款月供。',
    ['solution'],
    [],
  ],
  [
    '邀约到店/看房看样',
    '邀约看样板间',
    '我们新开了一个 120 平的全屋定制样板间，衣柜、橱柜和收纳方案都能实地看到。您什么时候方便，我给您预约讲解？',
    ['solution'],
    [],
  ],
  [
    '邀约到店/看房看样',
    '到店礼邀约',
    '本月到店体验的客户都可以领取一份到店礼，还能参加抽奖。您这周哪天有空？我帮您登记。',
    ['discovery', 'solution'],
    ['frequent_viewer'],
  ],
  [
    '异议处理/价格',
    '异议处理-价格太贵（汽车）',
    '理解您觉得价格有点高。我们这款车的保值率在同级里排前三，加上五年免费保养和终身质保，算下来每年的用车成本反而更低。我帮您算一下具体账？',
    ['trust', 'closing'],
    [],
  ],
  [
    '异议处理/价格',
    '异议处理-价格太贵（房产）',
    '价格确实是大事。这套房的单价比周边新盘低一些，而且是现房，不用再付一年多的房租。我把周边三个盘的价格对比发给您看看。',
    ['trust', 'closing'],
    [],
  ],
  [
    '异议处理/价格',
    '异议处理-价格太贵（定制）',
    '您说得对，定制比成品贵一些。但我们用的是 E0 级板材，五金是进口品牌，十年质保。便宜的方案我也可以给您出一版，您对比一下再决定。',
    ['trust', 'closing'],
    [],
  ],
  [
    '异议处理/价格',
    '异议处理-别家更便宜',
    '别家的报价方便发我看看吗？我们逐项对比一下配置和服务，如果真有差距，我去找店长帮您申请。',
    ['closing'],
    [],
  ],
  [
    '异议处理/价格',
    '异议处理-等降价',
    '很多客户也想等等看。不过这个月的金融贴息是厂家活动，月底就结束了，算下来比降价还划算，我给您对比一下两种方案。',
    ['closing'],
    ['churn_risk'],
  ],
  [
    '异议处理/竞品对比',
    '竞品对比-配置',
    '两款车我都熟悉。对方的优势是价格，我们的优势在安全配置和售后网点，这是两款车的配置对比表，您重点看一下安全那一栏。',
    ['trust'],
    [],
  ],
  [
    '异议处理/竞品对比',
    '竞品对比-品质',
    '您可以到店摸一摸我们的板材和封边，再看看竞品的。品质的差别，亲手比一比最清楚。',
    ['trust'],
    [],
  ],
  [
    '异议处理/竞品对比',
    '考虑一下',
    '没问题，买车是大事，多考虑是应该的。您主要在犹豫哪一点？是预算、配置还是家人的意见？我可以帮您把信息准备齐。',
    ['trust', 'closing'],
    [],
  ],
  [
    '促单',
    '促单-限时优惠',
    '跟您同步一下：这周末前签约可以享受限时优惠，再加送一年保养。名额不多，您要不要先交个意向金把优惠锁定？',
    ['closing'],
    ['purchase_intent'],
  ],
  [
    '促单',
    '促单-现车',
    '您看中的那台现车只剩最后一台了，颜色和配置都是您要的。如果定了我今天就帮您锁车，下周就能提车。',
    ['closing'],
    [],
  ],
  [
    '促单',
    '促单-老客户推荐',
    '您的朋友也在我们这里买过，老客户推荐可以额外享受推荐礼。今天定下来，两边都有礼品。',
    ['closing'],
    ['crm_key_account'],
  ],
  [
    '促单',
    '促单-分期方案',
    '首付压力大的话，我们有 0 首付和 36 期低息两种方案，月供比您现在的房租还低。我把两种方案的月供表发您？',
    ['closing'],
    [],
  ],
  [
    '售后回访',
    '交车三天回访',
    '您好，新车开了几天感觉怎么样？有任何功能不会用的随时问我，我也可以约个时间给您上门讲解。',
    [],
    [],
  ],
  [
    '售后回访',
    '首保提醒',
    '您的爱车快到首保里程了，首保免费，我帮您预约一个不用排队的时间？',
    [],
    ['vehicle'],
  ],
  [
    '售后回访',
    '安装满意度回访',
    '您好，家里的柜子安装完已经一周了，使用中有没有需要调整的地方？有问题拍照发我，我安排师傅上门。',
    [],
    [],
  ],
  ['售后回访', '交房回访', '恭喜您收房！验房时发现的问题我都登记好了，整改进度我会每周同步给您。', [], []],
  [
    '售后回访',
    '流失客户关怀',
    '好久没联系了，最近用车还顺利吗？店里新到了一批保养套餐，老客户专享价，需要的话我给您留一个名额。',
    [],
    ['churn_risk'],
  ],
];

export async function seedScripts(ctx: DemoContext): Promise<void> {
  const hq = await ctx.signIn('wang.jianguo');
  const ids = new Map<string, string>();
  for (const [name, children] of CATEGORIES) {
    const parent = await hq<{ id: string }>('POST', '/script-categories', { name });
    ids.set(name, parent.id);
    for (const child of children) {
      const c = await hq<{ id: string }>('POST', '/script-categories', { name: child, parentId: parent.id });
      ids.set(`${name}/${child}`, c.id);
    }
  }
  const created: string[] = [];
  for (const [category, title, body, stages, tags] of HQ_SCRIPTS) {
    const s = await hq<{ id: string }>('POST', '/scripts', {
      title,
      body,
      categoryId: ids.get(category),
      scope: 'company',
      stages,
      tags,
    });
    created.push(s.id);
  }
  // A dealer adds its own to what HQ publishes (R9.4); a salesperson keeps a personal one.
  const dealer = await ctx.signIn('zhang.wei');
  await dealer('POST', '/scripts', {
    title: '浦东店-停车指引',
    body: '到店可直接停在门店地下车库 B2，出示这条消息可免费停车 2 小时。',
    categoryId: ids.get('邀约到店/试驾邀约'),
    scope: 'company',
  });
  const sun = await ctx.signIn('sun.lei');
  await sun('POST', '/scripts', {
    title: '我的开场白',
    body: '您好，我是孙磊，上周您来店里看过车，我把您关心的配置单整理好了，发您看看。',
    categoryId: ids.get('开场白/首次添加'),
    scope: 'personal',
  });
  // Some use, so the usage column and "most used" have something to show.
  for (const [i, id] of created.entries()) {
    for (let n = 0; n < (i * 7) % 5; n++) await sun('POST', `/scripts/${id}/uses`, {});
  }
}
