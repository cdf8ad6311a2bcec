export const syncZh = {
  sync: {
    now: '同步',
    pull: '拉取数据',
    pulled: '已拉取 {{staff}} 名员工 {{days}} 天的数据',
    queued: '已开始同步',
    never: '尚未同步：绑定后会自动同步，也可点“同步”',
    running: '同步中 {{done}}/{{total}} 名员工',
    ok: '{{at}} 同步完成，新增 {{added}} 位客户',
    failed: '{{at}} 同步失败：{{error}}',
    next: '下次全量 {{full}}，增量 {{light}}',
    full: '全量',
    light: '增量',
    status: '同步状态',
  },
};

export const syncEn: typeof syncZh = {
  sync: {
    now: 'Sync',
    pull: 'Pull data',
    pulled: 'Pulled {{days}} days for {{staff}} staff members',
    queued: 'Sync started',
    never: 'Not synced yet: binding syncs on its own, or press “Sync”',
    running: 'Syncing {{done}}/{{total}} staff members',
    ok: 'Synced {{at}}, {{added}} new customers',
    failed: 'Sync failed {{at}}: {{error}}',
    next: 'Next full {{full}}, light {{light}}',
    full: 'Full',
    light: 'Light',
    status: 'Sync',
  },
};
