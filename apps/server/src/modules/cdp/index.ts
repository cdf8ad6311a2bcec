import { CDP_PERMISSIONS } from '@kehu/contracts/cdp';
import { defineModule } from '../../engine/module.ts';
import { backfillJob } from './backfill.job.ts';
import { seedCdp } from './cdp.demo.ts';
import { cdpRouteList } from './cdp.routes.ts';
import { crmLinkSubscribers } from './crm-link.ts';
import { funnelProspects } from './funnel-prospects.ts';
import { registerIngestion } from './ingest.ts';
import { objectTagsSubscriber } from './object-tags.ts';
import { processJob } from './process.job.ts';
import { profileSearchSource } from './profile-search.ts';
import { tickJob } from './tick.job.ts';
import { registerTimelineSource, type TimelineSource } from './timeline-sources.ts';

const CDP_ROLES = ['总部销售经理'];

/** Customer data platform (R1, R2): Segment-compatible ingestion, One ID, tags, segments, predictions. */
export default defineModule({
  name: 'cdp',
  label: { 'zh-CN': '客户数据', 'en-US': 'Customer data' },
  requires: ['crm', 'sales', 'analytics'],
  routes: cdpRouteList,
  // Segment-compatible ingestion lives outside /api/v1 (`/v1/track` …, write-key auth, CORS, text/plain bodies).
  http: registerIngestion,
  jobs: { 'cdp:process': processJob, 'cdp:backfill': backfillJob, 'cdp:tick': tickJob },
  subscribers: [...crmLinkSubscribers, objectTagsSubscriber],
  permissions: [
    {
      key: CDP_PERMISSIONS.read,
      label: { 'zh-CN': '查看客户数据', 'en-US': 'View customer data' },
      description: {
        'zh-CN': '客户档案、事件、标签、分群与数据源（个人信息按字段权限脱敏）',
        'en-US': 'Profiles, events, tags, segments and sources (personal data masked by field access)',
      },
      demoRoles: [...CDP_ROLES, '数据分析师'],
    },
    {
      key: CDP_PERMISSIONS.manage,
      label: { 'zh-CN': '管理客户数据', 'en-US': 'Manage customer data' },
      description: {
        'zh-CN': '数据源与写入密钥、标签与标签组、分群、身份规则、合并与拆分',
        'en-US': 'Sources and write keys, tags and groups, segments, identity rules, merges and splits',
      },
      demoRoles: CDP_ROLES,
    },
    {
      key: CDP_PERMISSIONS.exportSegment,
      label: { 'zh-CN': '导出分群成员', 'en-US': 'Export segment members' },
      description: { 'zh-CN': '导出会留审计记录', 'en-US': 'Every export is audited' },
      demoRoles: CDP_ROLES,
    },
    {
      key: CDP_PERMISSIONS.unmaskProfile,
      label: { 'zh-CN': '查看档案明文', 'en-US': 'Unmask profiles' },
      description: {
        'zh-CN': '查看客户档案中手机号、邮箱等个人信息的明文（留审计）',
        'en-US': 'See phones, emails and other personal data on profiles in full (audited)',
      },
      demoRoles: CDP_ROLES,
    },
  ],
  migrations: new URL('./migrations/', import.meta.url),
  testKit: () => import('./test-kit.ts'),
  demo: { order: 40, run: seedCdp },
  contributes: [
    { point: 'search-source', value: profileSearchSource },
    { point: 'funnel-prospects', value: funnelProspects },
  ],
  extensionPoints: {
    'timeline-source': (value) => registerTimelineSource(value as TimelineSource),
  },
});

/** The chat sidebar (issue 11) shows a profile's 360 view to the staff member in the chat. */
export { ownerOf as profileOfIdentityIn } from './identity.service.ts';
/** Connectors (WeCom …) feed the CDP like a Segment source, in process. */
export { identitiesOfProfile, ingestFromConnector, profileOfIdentity } from './internal-ingest.ts';
/** Journeys (issue 12): the rule evaluator over some profiles, ingested events, record → profile, owners. */
export {
  eventsSince,
  type FedEvent,
  liveProfiles,
  orderRevenueOf,
  ownersOfProfiles,
  profilesMatching,
  profilesOfRecords,
  profilesOfSegmentSubjects,
  propertiesMatch,
  setProfileTrait,
} from './journey-feed.ts';
/** The consent ledger (PIPL, R13.1): other modules record what a customer agreed to where they learn it. */
/** Loyalty (issue 13) shows member names and phones from traits, masked the CDP's way. */
export { maskValue as maskPersonal } from './masking.ts';
/** The member card (issue 13) signs a customer in by a verified phone: that phone's profile. */
export { normalizePhone, profileForPhone } from './phone-profile.ts';
export { profile360, setConsent } from './profiles.service.ts';
/**
 * Rules see what their author sees: every rule evaluator a person can drive (segments, tags,
 * and journeys, loyalty or dealer rules to come) checks the rule with `assertRuleVisibleTo`
 * before evaluating or saving it, and filters every count or list it shows with `scopeFilterFor`.
 */
export {
  assertRuleVisibleTo,
  type CrmScope,
  crmScopeFor,
  type RuleAt,
  type SubjectScope,
  scopeFilterFor,
} from './rule-access.ts';
export { evaluate as evaluateRule, type Rule } from './rules.ts';
export { createTagGroup, updateTagGroup } from './tag-groups.service.ts';
/** WeCom corp tags (issue 10) are CDP manual profile tags; the connector keeps them in step. */
export { createTag, deleteTag, setManualTag, updateTag } from './tags.service.ts';
/** Service tickets (issue 13) join the person's timeline through the `timeline-source` point. */
export type { TimelineSource } from './timeline-sources.ts';
export { systemViewer, type Viewer } from './viewer.ts';
