import i18n from '../../i18n';

/** The home page's "my day" strings; en-US is typed against zh-CN so a missing key fails typecheck. */
const zhCN = {
  hintKeyboard: '在列表页按 / 可快速搜索。',
  today: '{{date}} · 我的今天',
  refresh: '刷新',
  viewAll: '查看全部',
  more: '{{count}}+',
  objects: '全部对象',
  objectsHint: '按对象浏览全部数据',
  otherIntro: '以下是您可以查看和处理的数据。',
  leads: {
    title: '待跟进线索',
    breached: '已超时',
    dueSoon: '1 小时内到期',
    later: '其他进行中',
    empty: '收件箱已清空。去线索公海领取新线索，或等待系统分配。',
    emptyAction: '去线索公海',
    followUp: '下次跟进 {{time}}',
  },
  followUps: {
    title: '今日跟进提醒',
    overdue: '已逾期',
    empty: '今天没有到期的跟进提醒。在线索或客户上新建“待办”并设置提醒时间，就会出现在这里。',
  },
  deals: {
    title: '本月预计成交',
    summary: '{{count}} 个商机 · {{amount}}',
    empty: '本月没有预计成交的商机。在商机上填写预计成交日期，或去看板推进商机。',
    emptyAction: '去商机看板',
    close: '预计 {{date}}',
  },
  quotes: {
    title: '审批中的报价',
    discount: '折扣 {{pct}}%',
    empty: '没有审批中的报价。折扣超过 15% 的报价提交后会在这里显示审批进度。',
  },
  target: {
    title: '本月目标',
    achieved: '已完成',
    of: '目标 {{amount}}',
    deals: '成交 {{actual}} / {{target}} 单',
    forecast: '预测 {{amount}}',
    empty: '本月还没有为您设定目标。请店长在“目标与预测”中设定。',
    emptyAction: '目标与预测',
  },
  approvals: {
    title: '待我审批',
    approve: '去审批',
    by: '{{name}} 提交',
    empty: '没有等待您审批的申请。',
  },
  teamSla: {
    title: '团队今日超时线索',
    owner: '负责人 {{name}}',
    due: '截止 {{time}}',
    empty: '今天团队没有超时未响应的线索，保持住！',
  },
  pipeline: {
    title: '团队本月商机',
    won: '已赢单',
    weighted: '加权预测',
    open: '未结商机',
    commit: '高把握（≥80%）',
    forecast: '本月预测 {{amount}}',
    empty: '本月团队还没有预计成交的商机。',
    kanban: '商机看板',
  },
  notifications: {
    title: '最新通知',
    unread: '{{count}} 条未读',
    empty: '暂无通知。分配给您的线索、审批结果和提醒会在这里出现。',
  },
};

const enUS: typeof zhCN = {
  hintKeyboard: 'On list pages, press / to search.',
  today: '{{date}} · My day',
  refresh: 'Refresh',
  viewAll: 'View all',
  more: '{{count}}+',
  objects: 'All objects',
  objectsHint: 'Browse all data by object',
  otherIntro: 'Here is the data you can view and work on.',
  leads: {
    title: 'Leads to work',
    breached: 'Overdue',
    dueSoon: 'Due within 1 h',
    later: 'Other open',
    empty: 'Your inbox is clear. Claim new leads from the pool, or wait for assignment.',
    emptyAction: 'Open the lead pool',
    followUp: 'Next follow-up {{time}}',
  },
  followUps: {
    title: 'Follow-ups due today',
    overdue: 'Overdue',
    empty:
      'No follow-ups due today. Add a task with a reminder time on a lead or customer and it shows up here.',
  },
  deals: {
    title: 'Closing this month',
    summary: '{{count}} deals · {{amount}}',
    empty: 'No deals expected to close this month. Set an expected close date, or move deals on the kanban.',
    emptyAction: 'Open the kanban',
    close: 'Close {{date}}',
  },
  quotes: {
    title: 'Quotes in approval',
    discount: 'Discount {{pct}}%',
    empty: 'No quotes in approval. Quotes submitted with a discount above 15 % show their progress here.',
  },
  target: {
    title: 'Target this month',
    achieved: 'Achieved',
    of: 'Target {{amount}}',
    deals: 'Deals {{actual}} / {{target}}',
    forecast: 'Forecast {{amount}}',
    empty: 'No target set for you this month. Ask your store manager to set one under Targets & forecast.',
    emptyAction: 'Targets & forecast',
  },
  approvals: {
    title: 'Waiting for my approval',
    approve: 'Review',
    by: 'from {{name}}',
    empty: 'Nothing is waiting for your approval.',
  },
  teamSla: {
    title: 'Team SLA breaches today',
    owner: 'Owner {{name}}',
    due: 'Due {{time}}',
    empty: 'No lead of your team missed its first-response deadline today. Keep it up!',
  },
  pipeline: {
    title: 'Team pipeline this month',
    won: 'Won',
    weighted: 'Weighted',
    open: 'Open',
    commit: 'Commit (≥ 80 %)',
    forecast: 'Forecast {{amount}}',
    empty: 'Your team has no deals expected to close this month.',
    kanban: 'Kanban',
  },
  notifications: {
    title: 'Latest notifications',
    unread: '{{count}} unread',
    empty: 'No notifications. Leads assigned to you, approval results and reminders show up here.',
  },
};

i18n.addResourceBundle('zh-CN', 'translation', { today: zhCN }, true, false);
i18n.addResourceBundle('en-US', 'translation', { today: enUS }, true, false);
