/**
 * What other web modules may use of the CDP's pages (dependency-cruiser: only through this file).
 * The one customer page (modules/customers) shows a linked profile as its CDP section with these.
 */
export {
  type CustomerProfiles,
  type PersonLabel,
  type Profile360,
  useCustomerProfiles,
  useProfile,
} from './cdp-api';
export { cdpKeys } from './cdp-keys';
export { PersonName, usePersonText } from './person-label';
export { useProfileSections, useUnmaskedProfile } from './profile-sections';
export { ProfileTimeline } from './profile-timeline';
export { RuleBuilder } from './rule-builder';
