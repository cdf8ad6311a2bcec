import type { TimelineKind } from '@kehu/contracts/cdp';
import type { Actor } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import type { ProfileTimelineItem } from './profile-timeline.ts';

/**
 * What another module adds to the person's timeline (`timeline-source` extension point): service
 * tickets today. A source reads its own tables as the viewer — only what they may see — and answers
 * newest first, strictly older than `before`, at most `limit` items.
 */
export interface TimelineSource {
  kind: TimelineKind;
  items(
    tx: Tx,
    principal: Principal,
    actor: Actor,
    q: { profileIds: string[]; customerIds: string[]; before: Date | null; limit: number },
  ): Promise<ProfileTimelineItem[]>;
}

const sources: TimelineSource[] = [];

export function registerTimelineSource(s: TimelineSource): void {
  sources.push(s);
}

export const timelineSources = (): readonly TimelineSource[] => sources;
