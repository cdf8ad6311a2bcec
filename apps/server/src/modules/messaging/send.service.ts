import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { notFound } from '../../core/errors.ts';
import { emitEvent } from '../../core/events/outbox.ts';
import { newId } from '../../core/ids.ts';
import { enqueue } from '../../core/jobs/queue.ts';
import { runGuards } from './guards.ts';
import { loadRecipient } from './recipient.ts';
import {
  loadTemplate,
  MissingVariables,
  pickVariant,
  renderText,
  variablesIn,
  variablesOf,
} from './render.ts';
import { getSettings } from './settings.service.ts';
import type { SendOutcome, SendRequest, SkipReason } from './types.ts';

export const DELIVER_QUEUE = 'messaging:deliver';
export const DELIVER_ATTEMPTS = 6;

interface Row {
  id: string;
  status: string;
  reason: string | null;
  deferred_until: Date | string | null;
}

const outcomeOf = (r: Row): SendOutcome => ({
  messageId: r.id,
  status: r.status === 'delivered' ? 'sent' : (r.status as SendOutcome['status']),
  ...(r.reason && r.status === 'skipped' ? { reason: r.reason as SkipReason } : {}),
  ...(r.deferred_until && r.status === 'deferred'
    ? { deferredUntil: new Date(r.deferred_until).toISOString() }
    : {}),
});

async function existing(tx: Tx, tenantId: string, key: string): Promise<Row | undefined> {
  return (
    await sql<Row>`select id, status, reason, deferred_until from messaging_messages
      where tenant_id = ${tenantId} and idempotency_key = ${key}`.execute(tx)
  ).rows[0];
}

/**
 * Runs the guards, renders, records the attempt (with the skip reason, visible per profile) and
 * queues delivery as a durable job. Runs in the caller's transaction: a journey step that rolls
 * back leaves no message. The same idempotency key returns the first outcome, never a second send.
 */
export async function sendMessage(
  tx: Tx,
  tenantId: string,
  req: SendRequest,
  now = new Date(),
): Promise<SendOutcome> {
  const seen = await existing(tx, tenantId, req.idempotencyKey);
  if (seen) return outcomeOf(seen);
  const settings = await getSettings(tx, tenantId);
  const r = await loadRecipient(tx, tenantId, req.profileId, req.ownerUserId);
  if (!r) throw notFound('profile');
  const guard = await runGuards(tx, tenantId, r, req.channel, req.purpose, settings, now, {
    dropIfQuiet: req.dropIfQuiet,
  });

  let subject: string | null = req.content?.subject ?? null;
  let body = req.content?.text ?? '';
  let url: string | null = req.content?.url ?? null;
  let providerCode: string | null = null;
  let error: string | null = null;
  let templateSource = '';
  const templateParams: Record<string, string> = {};
  if (req.templateId) {
    const t = await loadTemplate(tx, tenantId, req.templateId);
    if (!t) throw notFound('messaging_template');
    const v = await pickVariant(tx, tenantId, t, r);
    subject = v.subject ?? subject;
    body = v.body;
    url = v.url ?? url;
    providerCode = t.provider_code;
    templateSource = [v.subject, v.body].join(' ');
  }
  if (guard.ok) {
    try {
      const late = req.variablesWhenSent ? await req.variablesWhenSent() : {};
      const vars = variablesOf(r, { ...req.variables, ...late });
      body = renderText(body, vars);
      subject = subject === null ? null : renderText(subject, vars);
      url = url === null ? null : renderText(url, vars);
      // A provider template (SMS) gets its variables as parameters, by the name without dots.
      for (const n of variablesIn(templateSource)) templateParams[n.replace(/\./g, '_')] = vars[n]!;
    } catch (err) {
      if (!(err instanceof MissingVariables)) throw err;
      error = `missing_variables:${err.names.join(',')}`;
    }
  }
  const status = !guard.ok ? 'skipped' : error ? 'failed' : guard.deferredUntil ? 'deferred' : 'queued';
  const reason = guard.ok ? null : guard.reason;
  const deferredUntil = guard.ok ? guard.deferredUntil : null;
  const id = newId();
  const inserted =
    await sql<Row>`insert into messaging_messages (tenant_id, id, idempotency_key, profile_id, channel,
      purpose, template_id, source_kind, source_id, step_id, owner_user_id, status, reason, address, subject, body, url,
      deferred_until, error, provider_template, template_params, secret)
    values (${tenantId}, ${id}, ${req.idempotencyKey}, ${req.profileId}, ${req.channel}, ${req.purpose},
      ${req.templateId ?? null}, ${req.source.kind}, ${req.source.id}, ${req.source.stepId ?? null},
      ${r.ownerUserId}, ${status}, ${reason}, ${guard.address}, ${subject}, ${body}, ${url}, ${deferredUntil},
      ${error}, ${providerCode}, ${providerCode ? JSON.stringify(templateParams) : null}::jsonb, ${req.secret === true})
    on conflict (tenant_id, idempotency_key) do nothing
    returning id, status, reason, deferred_until`.execute(tx);
  const row = inserted.rows[0];
  // A concurrent send with the same key committed first: its outcome is the outcome.
  if (!row) return outcomeOf((await existing(tx, tenantId, req.idempotencyKey))!);
  const payload = { messageId: id, profileId: req.profileId, channel: req.channel, source: req.source };
  if (status === 'skipped')
    await emitEvent(tx, tenantId, {
      type: 'message.skipped',
      object: 'message',
      recordId: id,
      payload: { ...payload, reason },
    });
  else if (status === 'failed')
    await emitEvent(tx, tenantId, {
      type: 'message.failed',
      object: 'message',
      recordId: id,
      payload: { ...payload, reason: error },
    });
  else
    await enqueue(
      tx,
      tenantId,
      DELIVER_QUEUE,
      { messageId: id },
      { runAt: deferredUntil ?? now, maxAttempts: DELIVER_ATTEMPTS, dedupeKey: `messaging:${id}` },
    );
  return outcomeOf(row);
}
