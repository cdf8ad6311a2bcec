import {
  SURVEY_PERMISSIONS as P,
  SurveyInviteList,
  SurveyReport,
  SurveyReportQuery,
  SurveySettings,
  SurveySettingsInput,
} from '@kehu/contracts/surveys';
import { defineRoute, type RouteSpec } from '../../core/http/route.ts';
import { listInvites, surveyReport } from './report.service.ts';
import { getSurveySettings, putSurveySettings } from './settings.service.ts';

const tags = ['surveys'];

export const surveyRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/surveys/settings',
    permission: P.read,
    summary: 'Return-visit settings: channel, delay, expiry, low-score thresholds',
    tags,
    response: SurveySettings,
    handler: (req) => req.tx((tx) => getSurveySettings(tx, req.principal.tenantId), { readOnly: true }),
  }),
  defineRoute({
    method: 'PUT',
    url: '/surveys/settings',
    permission: P.manage,
    summary: 'Save the return-visit settings (version check: 409 when someone saved in between)',
    tags,
    response: SurveySettings,
    body: SurveySettingsInput,
    probe: {
      sample: {
        enabled: true,
        channel: 'sms',
        delayMinutes: 60,
        expiresDays: 7,
        csatLow: 2,
        npsLow: 6,
        version: 0,
      },
    },
    handler: (req) => req.tx((tx) => putSurveySettings(tx, req.actor, req.body, req.locale)),
  }),
  defineRoute({
    method: 'GET',
    url: '/surveys/report',
    permission: P.read,
    summary: 'CSAT average, NPS and response rate by team, category or store (my unit and below)',
    tags,
    query: SurveyReportQuery,
    response: SurveyReport,
    handler: (req) =>
      req.tx((tx) => surveyReport(tx, req.principal, req.query, req.locale), { readOnly: true }),
  }),
  defineRoute({
    method: 'GET',
    url: '/surveys/invites',
    permission: P.read,
    summary: 'The latest return visits with their answers (my unit and below)',
    tags,
    response: SurveyInviteList,
    handler: (req) => req.tx((tx) => listInvites(tx, req.principal), { readOnly: true }),
  }),
];
