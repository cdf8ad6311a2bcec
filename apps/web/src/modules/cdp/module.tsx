import {
  ApartmentOutlined,
  ApiOutlined,
  BookOutlined,
  IdcardOutlined,
  MergeCellsOutlined,
  TagsOutlined,
} from '@ant-design/icons';
import type { WebModule } from '../../app/web-modules';
import { lazyPage } from '../../shared/lazy-page';

/** Sources and live debugger, profiles (One ID), tag factory, segments (R1, R2). */
export const cdpModule: WebModule = {
  key: 'cdp',
  /** The labels the navigation shows before the module's strings load (they load with its first page). */
  navLabels: {
    'zh-CN': {
      nav: {
        people: '用户画像',
        segments: '客户分群',
        tags: '标签工厂',
        sources: '数据源',
        events: '事件目录',
        merges: '合并记录',
      },
    },
    'en-US': {
      nav: {
        people: 'Profiles',
        segments: 'Segments',
        tags: 'Tag factory',
        sources: 'Sources',
        events: 'Event catalogue',
        merges: 'Merges',
      },
    },
  },
  nav: [
    {
      key: 'cdp-profiles',
      path: '/cdp/profiles',
      permission: 'cdp:read',
      labelKey: 'cdp.nav.people',
      icon: <IdcardOutlined />,
      group: 'customers',
      order: 40,
    },
    {
      key: 'cdp-segments',
      path: '/cdp/segments',
      permission: 'cdp:read',
      labelKey: 'cdp.nav.segments',
      icon: <ApartmentOutlined />,
      group: 'marketing',
      order: 10,
    },
    {
      key: 'cdp-tags',
      path: '/cdp/tags',
      permission: 'cdp:read',
      labelKey: 'cdp.nav.tags',
      icon: <TagsOutlined />,
      group: 'marketing',
      order: 20,
    },
    {
      key: 'cdp-sources',
      path: '/cdp/sources',
      permission: 'cdp:read',
      labelKey: 'cdp.nav.sources',
      icon: <ApiOutlined />,
      group: 'data',
      order: 40,
      setup: true,
    },
    {
      key: 'cdp-events',
      path: '/cdp/events',
      permission: 'cdp:read',
      labelKey: 'cdp.nav.events',
      icon: <BookOutlined />,
      // Configuration beside the sources (CDP settings): names people read for events.
      group: 'data',
      order: 45,
      setup: true,
    },
    {
      key: 'cdp-merges',
      path: '/cdp/merges',
      permission: 'cdp:read',
      labelKey: 'cdp.nav.merges',
      icon: <MergeCellsOutlined />,
      group: 'data',
      order: 20,
    },
  ],
  routes: [
    { path: 'cdp/sources', page: lazyPage(() => import('./sources-page'), 'SourcesPage') },
    { path: 'cdp/profiles', page: lazyPage(() => import('./profiles-page'), 'ProfilesPage') },
    { path: 'cdp/profiles/:id', page: lazyPage(() => import('./profile-page'), 'ProfilePage') },
    { path: 'cdp/tags', page: lazyPage(() => import('./tags-page'), 'TagsPage') },
    { path: 'cdp/segments', page: lazyPage(() => import('./segments-page'), 'SegmentsPage') },
    { path: 'cdp/segments/new', page: lazyPage(() => import('./segment-page'), 'SegmentEditor') },
    { path: 'cdp/segments/:id', page: lazyPage(() => import('./segment-page'), 'SegmentPage') },
    { path: 'cdp/merges', page: lazyPage(() => import('./merges-page'), 'MergesPage') },
    { path: 'cdp/events', page: lazyPage(() => import('./events-page'), 'EventsPage') },
  ],
  slots: {
    // CDP tags and segments over any object's records (R2.2); the panel hides itself without cdp:read.
    recordPanels: [
      { key: 'cdp-tags', component: lazyPage(() => import('./record-tags'), 'RecordTagsPanel') },
    ],
  },
  messagesIn: async (lang) =>
    lang === 'en-US'
      ? (await import('./messages?lang=en-US')).en
      : (await import('./messages?lang=zh-CN')).zh,
};
