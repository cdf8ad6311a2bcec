/**
 * The customer data platform's contract (modules/cdp, /api/v1/cdp): request and response schemas
 * and permission names. Split by area under ./cdp/.
 */
export * from './cdp/catalogue.ts';
export * from './cdp/profiles.ts';
export * from './cdp/rule.ts';
export * from './cdp/segments.ts';
export * from './cdp/sources.ts';
export * from './cdp/tags.ts';

export const CDP_PERMISSIONS = {
  /** Profiles, events, tags, segments and sources (personal data masked). */
  read: 'cdp:read',
  /** Sources and write keys, tags and groups, segments, identity rules, merges and splits. */
  manage: 'cdp:manage',
  /** Export segment members (audited). */
  exportSegment: 'segment:export',
  /** See personal values on profiles in full (audited). */
  unmaskProfile: 'profile:unmask',
} as const;
export type CdpPermission = (typeof CDP_PERMISSIONS)[keyof typeof CDP_PERMISSIONS];
