import type {
  SurveyInvite,
  SurveyReport,
  SurveySettings,
  SurveySettingsInput,
} from '@kehu/contracts/surveys';
import { useQuery } from '@tanstack/react-query';
import { ApiError, http } from '../../shared/api-client';

export type { SurveyInvite, SurveyReport, SurveySettings, SurveySettingsInput };
export type Dimension = 'team' | 'category' | 'store';

export const surveyKeys = {
  all: ['surveys'] as const,
  report: (by: Dimension, from: string, to: string) => ['surveys', 'report', by, from, to] as const,
  invites: ['surveys', 'invites'] as const,
  settings: ['surveys', 'settings'] as const,
};

export const useSurveyReport = (by: Dimension, from: string, to: string) =>
  useQuery({
    queryKey: surveyKeys.report(by, from, to),
    queryFn: () => http.get<SurveyReport>('/surveys/report', { by, from, to }),
  });
export const useInvites = () =>
  useQuery({
    queryKey: surveyKeys.invites,
    queryFn: () => http.get<{ items: SurveyInvite[] }>('/surveys/invites'),
  });
export const useSurveySettings = () =>
  useQuery({ queryKey: surveyKeys.settings, queryFn: () => http.get<SurveySettings>('/surveys/settings') });
export const saveSurveySettings = (v: SurveySettingsInput) =>
  http.put<SurveySettings>('/surveys/settings', v);

/** Server field errors onto an antd form (the problem's `errors`, already in the user's language). */
export function fieldErrorsOf(e: unknown): { name: (string | number)[]; errors: string[] }[] {
  if (!(e instanceof ApiError)) return [];
  return (e.problem.errors ?? []).map((f) => ({
    name: f.field.split('.').map((x) => (/^\d+$/.test(x) ? Number(x) : x)),
    errors: [f.message],
  }));
}
