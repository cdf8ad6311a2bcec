import { NodeIndexOutlined } from '@ant-design/icons';
import type { WebModule } from '../../app/web-modules';
import { lazyPage } from '../../shared/lazy-page';

/** Journeys (issue 12): the list, and the canvas editor with per-step analytics (a lazy chunk with @xyflow/react). */
export const journeysModule: WebModule = {
  key: 'journeys',
  /** The labels the navigation shows before the module's strings load (they load with its first page). */
  navLabels: { 'zh-CN': { nav: { list: '客户旅程' } }, 'en-US': { nav: { list: 'Journeys' } } },
  /** Pages here show components (and so strings) of these modules. */
  uses: ['cdp'],
  nav: [
    {
      key: 'journeys',
      path: '/journeys',
      permission: 'journeys:read',
      labelKey: 'journeys.nav.list',
      icon: <NodeIndexOutlined />,
      group: 'marketing',
      order: 10,
    },
  ],
  routes: [
    { path: 'journeys', page: lazyPage(() => import('./journeys-page'), 'JourneysPage') },
    { path: 'journeys/:id', page: lazyPage(() => import('./journey-editor-page'), 'JourneyEditorPage') },
  ],
  slots: {
    // The journeys a customer is in, step by step, with skips and why.
    recordPanels: [
      { key: 'journeys-runs', component: lazyPage(() => import('./record-journeys'), 'RecordJourneysPanel') },
    ],
  },
  messagesIn: async (lang) =>
    lang === 'en-US'
      ? (await import('./messages?lang=en-US')).en
      : (await import('./messages?lang=zh-CN')).zh,
};
