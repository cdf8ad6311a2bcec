/**
 * Every react-query key of the sales pages, from one place. Keys nest under `salesKeys.all`, so a
 * stage move or an approval decision refreshes kanban, quotes, approvals and figures together.
 */
export const salesKeys = {
  all: ['sales'] as const,
  pipelines: () => ['sales', 'pipelines'] as const,
  kanban: (pipeline: string | undefined, unit: string | null | undefined, search: string) =>
    ['sales', 'kanban', pipeline, unit, search] as const,
  sop: (opportunityId: string | undefined) => ['sales', 'sop', opportunityId] as const,
  quote: (id: string | undefined) => ['sales', 'quote', id] as const,
  quoteDocument: (id: string | undefined) => ['sales', 'quote', id, 'document'] as const,
  quoteSettings: () => ['sales', 'quote-settings'] as const,
  plan: (orderId: string | undefined) => ['sales', 'plan', orderId] as const,
  approvals: {
    inbox: (box: string) => ['sales', 'approvals', box] as const,
    ofQuote: (quoteId: string | undefined) => ['sales', 'approvals', 'quote', quoteId] as const,
    detail: (id: string) => ['sales', 'approval', id] as const,
  },
  customer360: (id: string | undefined) => ['sales', 'c360', id] as const,
  dashboard: (from: string, to: string, unit: string | null | undefined, channel: string | undefined) =>
    ['sales', 'dashboard', from, to, unit, channel] as const,
  targets: (period: string, unit: string | null | undefined) => ['sales', 'targets', period, unit] as const,
  forecast: (period: string, unit: string | null | undefined) => ['sales', 'forecast', period, unit] as const,
  settings: () => ['sales', 'settings'] as const,
  flows: () => ['sales', 'flows'] as const,
};
