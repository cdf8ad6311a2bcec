import { AimOutlined, CarOutlined, ToolOutlined } from '@ant-design/icons';
import type { WebModule } from '../../app/web-modules';
import { lazyPage } from '../../shared/lazy-page';

/** 现场服务 (R8.1) and 主动服务 (R8.3): dispatch board, the technician's phone view, predictive rules. */
export const fieldServiceModule: WebModule = {
  key: 'fieldService',
  /** The labels the navigation shows before the module's strings load (they load with its first page). */
  navLabels: {
    'zh-CN': { nav: { dispatch: '现场服务', jobs: '我的上门任务', rules: '主动服务规则' } },
    'en-US': { nav: { dispatch: 'Field service', jobs: 'My jobs', rules: 'Predictive service' } },
  },
  nav: [
    {
      key: 'field-service',
      path: '/field-service',
      permission: 'field_service:read',
      labelKey: 'fieldService.nav.dispatch',
      icon: <ToolOutlined />,
      group: 'service',
      order: 40,
    },
    {
      key: 'field-service-jobs',
      path: '/field-service/jobs',
      permission: 'field_service:work',
      labelKey: 'fieldService.nav.jobs',
      icon: <CarOutlined />,
      group: 'service',
      order: 45,
      alsoMatches: ['/field-service/jobs/'],
    },
    {
      key: 'field-service-rules',
      path: '/field-service/rules',
      permission: 'field_service:rules',
      labelKey: 'fieldService.nav.rules',
      icon: <AimOutlined />,
      group: 'service',
      order: 50,
    },
  ],
  routes: [
    { path: 'field-service', page: lazyPage(() => import('./dispatch-page'), 'DispatchPage') },
    { path: 'field-service/jobs', page: lazyPage(() => import('./jobs-page'), 'JobsPage') },
    { path: 'field-service/jobs/:id', page: lazyPage(() => import('./job-page'), 'JobPage') },
    { path: 'field-service/rules', page: lazyPage(() => import('./rules-page'), 'RulesPage') },
  ],
  messagesIn: async (lang) =>
    lang === 'en-US'
      ? (await import('./messages?lang=en-US')).en
      : (await import('./messages?lang=zh-CN')).zh,
};
