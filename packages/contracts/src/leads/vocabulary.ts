import { z } from 'zod';

/** The leads module's names: permissions, statuses, form fields, assignment strategies and kinds. */

/** Object permissions of `lead` (record engine) and the module's own configuration right. */
export const LEADS_PERMISSIONS = {
  read: 'lead:read',
  create: 'lead:create',
  update: 'lead:update',
  configure: 'leads:configure',
} as const;

export const LEAD_STATUSES = [
  'new',
  'contacted',
  'qualified',
  'converted',
  'disqualified',
  'pooled',
] as const;
export const LeadStatus = z.enum(LEAD_STATUSES);
export type LeadStatus = z.infer<typeof LeadStatus>;

import { FORM_FIELDS } from './form-fields.ts';

export { FORM_FIELDS };

export const ASSIGNMENT_STRATEGIES = ['round_robin', 'weighted', 'least_loaded', 'fixed'] as const;

export const ASSIGNMENT_KINDS = [
  'assign',
  'pool',
  'keep',
  'claim',
  'return',
  'reclaim',
  'duplicate_owner',
  'transfer',
] as const;
