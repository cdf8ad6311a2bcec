/** 获客链接 page texts, spread into the module's messages (zh-CN first). */
export const zhAcquisition = {
  acquisition: {
    nav: '获客链接',
    title: '获客链接',
    intro: '客户在微信中点击链接即可直接添加成员，无需扫码；适合投放在抖音、小红书、短信和网页中。',
    new: '新建获客链接',
    edit: '编辑获客链接',
    name: '链接名称',
    nameHelp: '最多 30 个字',
    corp: '企业',
    state: '渠道参数（customer_channel）',
    stateHelp: '最多 30 个字符：字母、数字、-、_、.；客户通过链接添加后随回调返回，作为线索的活动并用于统计',
    staff: '接待成员',
    skipVerify: '客户添加时无需成员确认',
    url: '链接',
    copy: '复制链接',
    copied: '已复制',
    addsToday: '今日添加',
    addsTotal: '累计添加',
    perDay: '近 30 天每日添加',
    deleteConfirm: '删除后该链接在企业微信中失效，已添加的客户不受影响。确定删除？',
    empty: '还没有获客链接。点击「新建获客链接」，选择接待成员和渠道参数，即可得到可投放的链接。',
    quota: '获客额度',
    quotaLeft: '剩余 {{balance}} / 共 {{total}}',
    quotaUnknown: '无法读取额度',
    balance_low: '获客助手额度即将用完，用完后客户将无法通过链接添加成员。请在企业微信管理后台购买额度。',
    balance_exhausted: '获客助手额度已用完，客户已无法通过链接添加成员。请在企业微信管理后台购买额度。',
  },
};

export const enAcquisition: typeof zhAcquisition = {
  acquisition: {
    nav: 'Acquisition links',
    title: 'Customer acquisition links',
    intro:
      'A customer taps the link in WeChat and adds a staff member directly, no QR scan needed; for Douyin, Xiaohongshu, SMS and web pages.',
    new: 'New acquisition link',
    edit: 'Edit acquisition link',
    name: 'Link name',
    nameHelp: 'Up to 30 characters',
    corp: 'Corp',
    state: 'Channel parameter (customer_channel)',
    stateHelp:
      'Up to 30 characters: letters, digits, -, _, .; WeCom returns it with every add through the link; it becomes the lead’s campaign and drives the figures',
    staff: 'Staff who receive customers',
    skipVerify: 'Customers are added without the staff member confirming',
    url: 'Link',
    copy: 'Copy link',
    copied: 'Copied',
    addsToday: 'Added today',
    addsTotal: 'Added in total',
    perDay: 'Adds per day, last 30 days',
    deleteConfirm: 'The link stops working in WeCom; customers already added stay. Delete it?',
    empty:
      'No acquisition link yet. Choose “New acquisition link”, pick the staff and a channel parameter, and you get a link to publish.',
    quota: 'Acquisition quota',
    quotaLeft: '{{balance}} left of {{total}}',
    quotaUnknown: 'Quota could not be read',
    balance_low:
      'The customer acquisition quota is running low; once used up customers cannot add staff through links. Buy more in the WeCom admin console.',
    balance_exhausted:
      'The customer acquisition quota is used up; customers can no longer add staff through links. Buy more in the WeCom admin console.',
  },
};
