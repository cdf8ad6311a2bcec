import {
  ApartmentOutlined,
  ApiOutlined,
  IdcardOutlined,
  MergeCellsOutlined,
  TagsOutlined,
} from '@ant-design/icons';
import { Route } from 'react-router';
import type { WebModule } from '../registry';
import { MergesPage } from './merges-page';
import { en, zh } from './messages';
import { ProfilePage } from './profile-page';
import { ProfilesPage } from './profiles-page';
import { SegmentEditor, SegmentPage } from './segment-page';
import { SegmentsPage } from './segments-page';
import { SourcesPage } from './sources-page';
import { TagsPage } from './tags-page';

/** Sources and live debugger, profiles (One ID), tag factory, segments (R1, R2). */
export const cdpModule: WebModule = {
  key: 'cdp',
  nav: [
    {
      key: 'cdp-profiles',
      path: '/cdp/profiles',
      permission: 'cdp:read',
      labelKey: 'cdp.nav.profiles',
      icon: <IdcardOutlined />,
    },
    {
      key: 'cdp-segments',
      path: '/cdp/segments',
      permission: 'cdp:read',
      labelKey: 'cdp.nav.segments',
      icon: <ApartmentOutlined />,
    },
    {
      key: 'cdp-tags',
      path: '/cdp/tags',
      permission: 'cdp:read',
      labelKey: 'cdp.nav.tags',
      icon: <TagsOutlined />,
    },
    {
      key: 'cdp-sources',
      path: '/cdp/sources',
      permission: 'cdp:read',
      labelKey: 'cdp.nav.sources',
      icon: <ApiOutlined />,
    },
    {
      key: 'cdp-merges',
      path: '/cdp/merges',
      permission: 'cdp:read',
      labelKey: 'cdp.nav.merges',
      icon: <MergeCellsOutlined />,
    },
  ],
  routes: (
    <Route path="cdp" key="cdp">
      <Route path="sources" element={<SourcesPage />} />
      <Route path="profiles" element={<ProfilesPage />} />
      <Route path="profiles/:id" element={<ProfilePage />} />
      <Route path="tags" element={<TagsPage />} />
      <Route path="segments" element={<SegmentsPage />} />
      <Route path="segments/new" element={<SegmentEditor />} />
      <Route path="segments/:id" element={<SegmentPage />} />
      <Route path="merges" element={<MergesPage />} />
    </Route>
  ),
  messages: { 'zh-CN': zh, 'en-US': en },
};
