import type { SurveyInvite, SurveyReport } from '@kehu/contracts/surveys';
import { type RawBuilder, sql } from 'kysely';
import { can, type Principal, rowScope } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { surveyUrl } from './invite.service.ts';
import { surveyText } from './surveys.messages.ts';

/** Invites the viewer sees: the whole tenant with a tenant-wide ticket scope, else their unit and below. */
export function inviteScope(p: Principal): RawBuilder<boolean> {
  const s = rowScope(p, 'ticket');
  if (s.unitIds === null) return sql<boolean>`true`;
  return sql<boolean>`i.unit_id = any(${p.subtreeUnitIds}::uuid[])`;
}

const FIGURES = sql`count(*)::int as invites,
  count(*) filter (where i.sent_at is not null)::int as sent,
  count(a.invite_id)::int as answers,
  round(avg(a.csat)::numeric, 2)::float8 as csat_avg,
  count(a.nps)::int as nps_n,
  count(*) filter (where a.nps >= 9)::int as promoters,
  count(*) filter (where a.nps <= 6)::int as detractors,
  count(*) filter (where a.low)::int as low`;

const figures = (r: any) => ({
  invites: r.invites,
  sent: r.sent,
  answers: r.answers,
  responseRate: r.sent ? Math.round((1000 * r.answers) / r.sent) / 1000 : null,
  csatAvg: r.csat_avg ?? null,
  nps: r.nps_n ? Math.round((100 * (r.promoters - r.detractors)) / r.nps_n) : null,
  low: r.low,
});

/**
 * CSAT average, NPS (promoters − detractors) and response rate, in total, per team (the assignee's
 * unit), category or store (the ticket's unit), and per day — over the tickets closed in the range.
 */
export async function surveyReport(
  tx: Tx,
  p: Principal,
  q: { by: 'team' | 'category' | 'store'; from?: string; to?: string },
  locale: Locale,
): Promise<SurveyReport> {
  const t = p.tenantId;
  const to = q.to ?? new Date().toISOString().slice(0, 10);
  const from = q.from ?? new Date(Date.parse(to) - 29 * 86_400_000).toISOString().slice(0, 10);
  const base = sql`from survey_invites i
    left join survey_answers a on a.tenant_id = i.tenant_id and a.invite_id = i.id
    where i.tenant_id = ${t} and i.closed_at >= ${from}::date and i.closed_at < ${to}::date + 1 and ${inviteScope(p)}`;
  const key =
    q.by === 'category'
      ? sql`i.category_key`
      : q.by === 'team'
        ? sql`i.team_unit_id::text`
        : sql`i.unit_id::text`;
  const total = (await sql<any>`select ${FIGURES} ${base}`.execute(tx)).rows[0];
  const rows = (
    await sql<any>`select ${key} as key, ${FIGURES} ${base} group by 1 order by 2 desc limit 50`.execute(tx)
  ).rows;
  const unitIds = q.by === 'category' ? [] : rows.map((r) => r.key).filter(Boolean);
  const names = new Map(
    unitIds.length
      ? (
          await sql<{
            id: string;
            name: string;
          }>`select id::text, name from units where tenant_id = ${t} and id = any(${unitIds}::uuid[])`.execute(
            tx,
          )
        ).rows.map((u) => [u.id, u.name])
      : [],
  );
  const days = (
    await sql<any>`select to_char(date_trunc('day', a.answered_at), 'YYYY-MM-DD') as day, count(*)::int as answers,
        round(avg(a.csat)::numeric, 2)::float8 as csat_avg ${base} and a.invite_id is not null group by 1 order by 1`.execute(
      tx,
    )
  ).rows;
  return {
    total: figures(total),
    rows: rows.map((r) => ({
      key: r.key ?? '',
      label: r.key ? (names.get(r.key) ?? r.key) : surveyText(locale, 'unknown'),
      ...figures(r),
    })),
    days: days.map((d) => ({ day: d.day, answers: d.answers, csatAvg: d.csat_avg ?? null })),
  };
}

/** The latest invites with their answers (newest closing first). */
export async function listInvites(tx: Tx, p: Principal, limit = 100): Promise<{ items: SurveyInvite[] }> {
  const r =
    await sql<any>`select i.id, i.token, i.ticket_id, i.ticket_number, i.category_key, i.status, i.skip_reason,
      i.closed_at, i.send_at, i.sent_at, i.expires_at, a.csat, a.nps, a.comment, a.low, a.reopened
    from survey_invites i left join survey_answers a on a.tenant_id = i.tenant_id and a.invite_id = i.id
    where i.tenant_id = ${p.tenantId} and ${inviteScope(p)} order by i.closed_at desc, i.id limit ${limit}`.execute(
      tx,
    );
  const iso = (d: any) => (d ? new Date(d).toISOString() : null);
  const manage = can(p, 'surveys:manage');
  return {
    items: r.rows.map((x) => ({
      id: x.id,
      ticketId: x.ticket_id,
      ticketNumber: x.ticket_number,
      categoryKey: x.category_key,
      status: x.status,
      skipReason: x.skip_reason,
      closedAt: iso(x.closed_at)!,
      sendAt: iso(x.send_at)!,
      sentAt: iso(x.sent_at),
      expiresAt: iso(x.expires_at)!,
      csat: x.csat,
      nps: x.nps,
      comment: x.comment,
      low: x.low,
      reopened: x.reopened,
      url: manage && x.status !== 'answered' ? surveyUrl(x.token) : null,
    })),
  };
}
