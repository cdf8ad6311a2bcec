import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';

/**
 * 潜客 (R11.1), the funnel's stage before 线索: people who left contact details in the period,
 * and how many of them have a lead. The module that knows people (the CDP) counts them through the
 * `funnel-prospects` extension point; without it the funnel starts at 线索.
 */
export interface ProspectSource {
  count(
    tx: Tx,
    principal: Principal,
    period: { from: string; to: string },
  ): Promise<{ prospects: number; withLead: number }>;
}

let source: ProspectSource | null = null;

export function registerProspectSource(s: ProspectSource): void {
  source = s;
}

export const prospectSource = (): ProspectSource | null => source;
