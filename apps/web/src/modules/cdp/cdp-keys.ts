/**
 * Every react-query key of the CDP pages, from one place. Keys nest: invalidating a prefix
 * (`cdpKeys.segments.detail(id)`) refreshes what hangs under it (its history and members),
 * `cdpKeys.all` everything the CDP shows (after a merge, say).
 */
export const cdpKeys = {
  all: ['cdp'] as const,
  sources: {
    list: () => ['cdp', 'sources'] as const,
    debug: (id: string | null) => ['cdp', 'debug', id] as const,
    volume: (id: string, by: string) => ['cdp', 'source-volume', id, by] as const,
  },
  profiles: {
    list: (filter: unknown) => ['cdp', 'profiles', filter] as const,
    detail: (id: string) => ['cdp', 'profile', id] as const,
    unmasked: (id: string) => ['cdp', 'profile', id, 'unmasked'] as const,
    timeline: (id: string, kinds: string[]) => ['cdp', 'profile', id, 'timeline', kinds.join(',')] as const,
  },
  customers: {
    profile: (id: string) => ['cdp', 'customer', id] as const,
    timeline: (id: string, kinds: string[]) => ['cdp', 'customer', id, 'timeline', kinds.join(',')] as const,
  },
  merges: { list: (filter: unknown) => ['cdp', 'merges', filter] as const },
  tags: {
    list: () => ['cdp', 'tags'] as const,
    model: (id: string) => ['cdp', 'tag-model', id] as const,
    history: (id: string) => ['cdp', 'tag-history', id] as const,
    modelRun: (id: string, running: boolean) => ['cdp', 'tag-model', id, running] as const,
    ofSubject: (object: string, id: string) => ['cdp', 'subject-tags', object, id] as const,
  },
  segments: {
    list: () => ['cdp', 'segments'] as const,
    detail: (id: string) => ['cdp', 'segment', id] as const,
    history: (id: string) => ['cdp', 'segment', id, 'history'] as const,
    members: (id: string) => ['cdp', 'segment', id, 'members'] as const,
    preview: (object: string | undefined, rule: unknown) => ['cdp', 'segment-preview', object, rule] as const,
  },
  events: {
    names: () => ['cdp', 'event-names'] as const,
    properties: (event: string | undefined) => ['cdp', 'event-properties', event] as const,
    catalogue: () => ['cdp', 'event-catalogue'] as const,
  },
};
