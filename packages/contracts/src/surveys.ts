import { z } from 'zod';

/** 满意度回访 (apps/server/src/modules/surveys): a survey after every closed ticket, R8.2. */
export const SURVEY_PERMISSIONS = {
  read: 'surveys:read',
  manage: 'surveys:manage',
} as const;

export const SURVEY_CHANNELS = ['sms', 'wecom_private'] as const;

export const SurveySettings = z.object({
  enabled: z.boolean(),
  channel: z.enum(SURVEY_CHANNELS),
  /** Minutes after closing; a send inside quiet hours waits for their end, always within 24 h. */
  delayMinutes: z.number().int().min(0).max(1200),
  expiresDays: z.number().int().min(1).max(30),
  /** CSAT at or below this (1–5 scale; 0 = never) reopens the ticket as a complaint. */
  csatLow: z.number().int().min(0).max(4),
  /** NPS at or below this (0–10 scale; −1 = never) reopens the ticket as a complaint. */
  npsLow: z.number().int().min(-1).max(9),
  version: z.number().int(),
});
export type SurveySettings = z.infer<typeof SurveySettings>;
export const SurveySettingsInput = SurveySettings.omit({ version: true })
  .extend({ version: z.number().int().min(0) })
  .strict();
export type SurveySettingsInput = z.infer<typeof SurveySettingsInput>;

/** What the public page posts: at least one score. */
export const SurveyAnswerInput = z
  .object({
    csat: z.number().int().min(1).max(5).optional(),
    nps: z.number().int().min(0).max(10).optional(),
    comment: z.string().trim().max(500).optional(),
  })
  .strict();
export type SurveyAnswerInput = z.infer<typeof SurveyAnswerInput>;

export const REPORT_DIMENSIONS = ['team', 'category', 'store'] as const;
export const SurveyReportQuery = z
  .object({
    by: z.enum(REPORT_DIMENSIONS).default('category'),
    from: z.iso.date().optional(),
    to: z.iso.date().optional(),
  })
  .strict();

const Figures = z.object({
  invites: z.number().int(),
  sent: z.number().int(),
  answers: z.number().int(),
  /** answers ÷ sent, 0–1; null when nothing was sent. */
  responseRate: z.number().nullable(),
  csatAvg: z.number().nullable(),
  /** % promoters (9–10) − % detractors (0–6) among NPS answers, −100…100. */
  nps: z.number().nullable(),
  low: z.number().int(),
});
export const SurveyReport = z.object({
  total: Figures,
  rows: z.array(Figures.extend({ key: z.string(), label: z.string() })),
  days: z.array(z.object({ day: z.string(), answers: z.number().int(), csatAvg: z.number().nullable() })),
});
export type SurveyReport = z.infer<typeof SurveyReport>;

export const SurveyInvite = z.object({
  id: z.string(),
  ticketId: z.string(),
  ticketNumber: z.string().nullable(),
  categoryKey: z.string().nullable(),
  status: z.string(),
  skipReason: z.string().nullable(),
  closedAt: z.string(),
  sendAt: z.string(),
  sentAt: z.string().nullable(),
  expiresAt: z.string(),
  csat: z.number().nullable(),
  nps: z.number().nullable(),
  comment: z.string().nullable(),
  low: z.boolean().nullable(),
  reopened: z.boolean().nullable(),
  /** The customer's survey link: only for who manages surveys (to resend it by hand), else null. */
  url: z.string().nullable(),
});
export type SurveyInvite = z.infer<typeof SurveyInvite>;
export const SurveyInviteList = z.object({ items: z.array(SurveyInvite) });
