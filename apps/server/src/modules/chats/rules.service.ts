import type { ChatRule, ChatRuleInput } from '@kehu/contracts/chats';
import { sql } from 'kysely';
import type { Actor } from '../../core/audit/audit.ts';
import { writeAudit } from '../../core/audit/audit.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { invalid, notFound } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import { setManualTag } from '../cdp/index.ts';
import { managersOf } from '../leads/index.ts';
import { notify } from '../notifications/index.ts';
import type { StoredMessage } from './stored-message.ts';

function toRule(r: any): ChatRule {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    keywords: r.keywords,
    appliesTo: r.applies_to,
    tagId: r.tag_id,
    enabled: r.enabled,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

export async function listRules(tx: Tx, tenantId: string) {
  const rows = (
    await sql<any>`select * from chat_rules where tenant_id = ${tenantId} order by created_at`.execute(tx)
  ).rows;
  return { items: rows.map(toRule) };
}

async function checkTag(tx: Tx, tenantId: string, input: ChatRuleInput) {
  if (input.kind !== 'auto_tag') return null;
  if (!input.tagId) throw invalid([{ field: 'tagId', code: 'required' }]);
  const t = (
    await sql<{ kind: string; object: string }>`select kind, object from cdp_tags
      where tenant_id = ${tenantId} and id = ${input.tagId}`.execute(tx)
  ).rows[0];
  // A rule can only set a hand-kept profile tag: computed tags follow their own rule.
  if (t?.kind !== 'manual' || t.object !== 'profile')
    throw invalid([{ field: 'tagId', code: 'lookup_missing' }]);
  return input.tagId;
}

const keywordsOf = (input: ChatRuleInput) => [
  ...new Set(input.keywords.map((k) => k.trim()).filter(Boolean)),
];

export async function createRule(tx: Tx, actor: Actor, input: ChatRuleInput): Promise<ChatRule> {
  const tagId = await checkTag(tx, actor.tenantId, input);
  const id = newId();
  await sql`insert into chat_rules (tenant_id, id, name, kind, keywords, applies_to, tag_id, enabled, created_by)
    values (${actor.tenantId}, ${id}, ${input.name}, ${input.kind}, ${keywordsOf(input)}, ${input.appliesTo},
      ${tagId}, ${input.enabled}, ${actor.actorId})`.execute(tx);
  await writeAudit(tx, actor, {
    action: 'chats.rule_create',
    object: 'chat_rule',
    recordId: id,
    meta: { name: input.name },
  });
  return getRule(tx, actor.tenantId, id);
}

export async function updateRule(tx: Tx, actor: Actor, id: string, input: ChatRuleInput): Promise<ChatRule> {
  await getRule(tx, actor.tenantId, id);
  const tagId = await checkTag(tx, actor.tenantId, input);
  await sql`update chat_rules set name = ${input.name}, kind = ${input.kind}, keywords = ${keywordsOf(input)},
      applies_to = ${input.appliesTo}, tag_id = ${tagId}, enabled = ${input.enabled}
    where tenant_id = ${actor.tenantId} and id = ${id}`.execute(tx);
  await writeAudit(tx, actor, {
    action: 'chats.rule_update',
    object: 'chat_rule',
    recordId: id,
    meta: { name: input.name },
  });
  return getRule(tx, actor.tenantId, id);
}

export async function deleteRule(tx: Tx, actor: Actor, id: string): Promise<void> {
  const r = await sql`delete from chat_rules where tenant_id = ${actor.tenantId} and id = ${id}`.execute(tx);
  if (!Number(r.numAffectedRows ?? 0)) throw notFound('chat_rule');
  await writeAudit(tx, actor, { action: 'chats.rule_delete', object: 'chat_rule', recordId: id });
}

async function getRule(tx: Tx, tenantId: string, id: string): Promise<ChatRule> {
  const r = (
    await sql<any>`select * from chat_rules where tenant_id = ${tenantId} and id = ${id}`.execute(tx)
  ).rows[0];
  if (!r) throw notFound('chat_rule');
  return toRule(r);
}

const EXCERPT = 80;
function excerptAround(text: string, at: number): string {
  const start = Math.max(0, at - 30);
  const cut = text.slice(start, start + EXCERPT);
  return `${start > 0 ? '…' : ''}${cut}${start + EXCERPT < text.length ? '…' : ''}`;
}

/**
 * Runs the tenant's rules over newly archived messages: a sensitive word or risky behaviour opens
 * an alert (once per rule and message) and tells the staff member's managers; an auto-tag rule tags
 * the customer's profile. Keywords match case-insensitively anywhere in the text.
 */
export async function applyRules(tx: Tx, actor: Actor, messages: StoredMessage[]): Promise<number> {
  const withText = messages.filter((m) => m.content);
  if (!withText.length) return 0;
  const rules = (
    await sql<any>`select * from chat_rules where tenant_id = ${actor.tenantId} and enabled`.execute(tx)
  ).rows;
  if (!rules.length) return 0;
  let alerts = 0;
  const tagged = new Set<string>();
  for (const m of withText) {
    const text = m.content!;
    const lower = text.toLowerCase();
    for (const r of rules) {
      if (r.applies_to === 'staff' && m.direction !== 'out') continue;
      if (r.applies_to === 'customer' && m.direction !== 'in') continue;
      const hit = (r.keywords as string[]).find((k) => lower.includes(k.toLowerCase()));
      if (!hit) continue;
      if (r.kind === 'auto_tag') {
        const key = `${r.tag_id}|${m.profileId}`;
        if (m.profileId && r.tag_id && !tagged.has(key)) {
          tagged.add(key);
          await setManualTag(tx, actor, r.tag_id, m.profileId, true, true);
        }
        continue;
      }
      const id = newId();
      const added = (
        await sql`insert into chat_alerts (tenant_id, id, rule_id, corp_ref, msgid, keyword, staff_userid, external_userid,
            staff_user_id, unit_id, msgtime, excerpt)
          values (${actor.tenantId}, ${id}, ${r.id}, ${m.corpRef}, ${m.msgid}, ${hit}, ${m.staffUserid}, ${m.externalUserid},
            ${m.staffUserId}, ${m.unitId}, ${m.msgtime}, ${excerptAround(text, lower.indexOf(hit.toLowerCase()))})
          on conflict do nothing`.execute(tx)
      ).numAffectedRows;
      if (!Number(added ?? 0)) continue;
      alerts++;
      const managers = m.staffUserId ? await managersOf(tx, actor.tenantId, m.staffUserId) : [];
      await notify(tx, actor.tenantId, {
        userIds: managers,
        kind: 'chats.alert',
        title: {
          'zh-CN': `会话预警：${r.name}（“${hit}”）`,
          'en-US': `Chat alert: ${r.name} ("${hit}")`,
        },
        body: {
          'zh-CN': excerptAround(text, lower.indexOf(hit.toLowerCase())),
          'en-US': excerptAround(text, lower.indexOf(hit.toLowerCase())),
        },
        link: '/chats?tab=alerts',
        object: 'chat_alert',
        recordId: id,
      });
    }
  }
  return alerts;
}
