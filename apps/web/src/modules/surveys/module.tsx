import { SmileOutlined } from '@ant-design/icons';
import type { WebModule } from '../../app/web-modules';
import { lazyPage } from '../../shared/lazy-page';

/** 满意度回访 (R8.2): survey report by team, category and store; settings. */
export const surveysModule: WebModule = {
  key: 'surveys',
  /** The labels the navigation shows before the module's strings load (they load with its first page). */
  navLabels: {
    'zh-CN': { nav: '满意度回访' },
    'en-US': { nav: 'Satisfaction surveys' },
  },
  nav: [
    {
      key: 'surveys',
      path: '/surveys',
      permission: 'surveys:read',
      labelKey: 'surveys.nav',
      icon: <SmileOutlined />,
      group: 'service',
      order: 60,
    },
  ],
  routes: [{ path: 'surveys', page: lazyPage(() => import('./surveys-page'), 'SurveysPage') }],
  messagesIn: async (lang) =>
    lang === 'en-US'
      ? (await import('./messages?lang=en-US')).en
      : (await import('./messages?lang=zh-CN')).zh,
};
