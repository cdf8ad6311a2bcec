/**
 * Every react-query key of the leads pages, from one place. Keys nest under `leadsKeys.all`, so
 * invalidating it after a conversion, a claim or a scorecard change refreshes inbox, pool and lead
 * pages together; a settings save invalidates only its own list.
 */
export const leadsKeys = {
  all: ['leads'] as const,
  inbox: () => ['leads', 'inbox'] as const,
  pool: () => ['leads', 'pool'] as const,
  lead: {
    detail: (id: string) => ['leads', 'lead', id] as const,
    duplicate: (id: string) => ['leads', 'dup', id] as const,
    assignments: (id: string) => ['leads', 'history', id] as const,
    activities: (id: string) => ['leads', 'acts', id] as const,
  },
  settings: {
    all: () => ['leads', 'settings'] as const,
    channels: () => ['leads', 'channels'] as const,
    rules: () => ['leads', 'rules'] as const,
    forms: () => ['leads', 'forms'] as const,
    userSettings: () => ['leads', 'user-settings'] as const,
  },
};
