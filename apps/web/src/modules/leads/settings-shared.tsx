import type { LeadSettings } from '@kehu/contracts/leads';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App } from 'antd';
import { useTranslation } from 'react-i18next';
import { http } from '../../shared/api-client';
import { errorMessage } from '../../shared/ui/error-result';
import { useLeadOptionLabel } from './leads-api';
import { leadsKeys } from './leads-keys';

// What the lead settings tabs share: channel and form-field lists, the settings query, saving.

export const CHANNELS = [
  'web_form',
  'ad',
  'wecom',
  'exhibition',
  'call_center',
  'referral',
  'import',
  'api',
  'walk_in',
  'other',
];

export { FORM_FIELDS } from '@kehu/contracts/leads/form-fields';

export function useChannelOptions() {
  const opt = useLeadOptionLabel();
  return CHANNELS.map((c) => ({ value: c, label: opt('channel', c) }));
}

export function useSave<T>(fn: (v: T) => Promise<unknown>, keys: readonly (readonly string[])[]) {
  const { message } = App.useApp();
  const { t } = useTranslation();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => {
      message.success(t('leads.common.saved'));
      for (const k of keys) void qc.invalidateQueries({ queryKey: k });
    },
    onError: (e) => message.error(errorMessage(e)),
  });
}

export const useSettings = () =>
  useQuery({ queryKey: leadsKeys.settings.all(), queryFn: () => http.get<LeadSettings>('/leads/settings') });
