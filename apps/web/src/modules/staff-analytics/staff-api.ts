import type { Dashboard } from '@kehu/contracts/staff-analytics';
import { useQuery } from '@tanstack/react-query';
import { apiFetch, http, type QueryValue, saveResponse } from '../../shared/api-client';

export type { Dashboard, MetricDef, StaffFigures, TeamFigures } from '@kehu/contracts/staff-analytics';

/** What the page asks for: a quick period or a custom range, a team or one person. */
export interface Selection {
  days?: number;
  from?: string;
  to?: string;
  unitId?: string;
  tree?: boolean;
  staffUserId?: string;
}

const query = (s: Selection): Record<string, QueryValue> => ({
  days: s.from ? undefined : s.days,
  from: s.from,
  to: s.to,
  unitId: s.unitId,
  tree: s.unitId && s.tree ? 'true' : undefined,
  staffUserId: s.staffUserId,
});

export const useStaffDashboard = (s: Selection) =>
  useQuery({
    queryKey: ['staff-analytics', query(s)],
    queryFn: () => http.get<Dashboard>('/staff-analytics/dashboard', query(s)),
    placeholderData: (prev) => prev,
  });

export async function exportStaffCsv(s: Selection): Promise<void> {
  const res = await apiFetch('/staff-analytics/export', { query: query(s) });
  await saveResponse(res, 'staff-analytics.csv');
}
