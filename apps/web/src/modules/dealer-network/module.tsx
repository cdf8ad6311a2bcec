import { CheckSquareOutlined, NotificationOutlined, SolutionOutlined } from '@ant-design/icons';
import type { WebModule } from '../../app/web-modules';
import { lazyPage } from '../../shared/lazy-page';

/** Dealer network (issue 14): 招商 pipeline, HQ task distribution and each unit's task list. */
export const dealerNetworkModule: WebModule = {
  key: 'dnw',
  navLabels: {
    'zh-CN': { nav: { recruitment: '经销商招商', tasks: '任务下发', unitTasks: '本单位任务' } },
    'en-US': {
      nav: { recruitment: 'Dealer recruitment', tasks: 'Distribute tasks', unitTasks: 'My unit’s tasks' },
    },
  },
  nav: [
    {
      key: 'dnw-recruitment',
      path: '/dealer-network/recruitment',
      permission: 'dealer_network:recruit_read',
      labelKey: 'dnw.nav.recruitment',
      icon: <SolutionOutlined />,
      group: 'channels',
      order: 60,
      alsoMatches: ['/dealer-network/applications'],
    },
    {
      key: 'dnw-tasks',
      path: '/dealer-network/tasks',
      permission: 'dealer_network:tasks_manage',
      labelKey: 'dnw.nav.tasks',
      icon: <NotificationOutlined />,
      group: 'channels',
      order: 61,
    },
    {
      key: 'dnw-unit-tasks',
      path: '/unit-tasks',
      permission: 'dealer_network:tasks_work',
      labelKey: 'dnw.nav.unitTasks',
      icon: <CheckSquareOutlined />,
      group: 'workspace',
      order: 60,
    },
  ],
  routes: [
    {
      path: 'dealer-network/recruitment',
      page: lazyPage(() => import('./recruitment-page'), 'RecruitmentPage'),
    },
    {
      path: 'dealer-network/applications/:id',
      page: lazyPage(() => import('./application-page'), 'ApplicationPage'),
    },
    { path: 'dealer-network/tasks', page: lazyPage(() => import('./tasks-page'), 'TasksPage') },
    { path: 'unit-tasks', page: lazyPage(() => import('./unit-tasks-page'), 'UnitTasksPage') },
  ],
  messagesIn: async (lang) =>
    lang === 'en-US'
      ? (await import('./messages?lang=en-US')).en
      : (await import('./messages?lang=zh-CN')).zh,
};
