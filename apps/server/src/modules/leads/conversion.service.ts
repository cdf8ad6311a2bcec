import { opportunityNameFor } from '@kehu/contracts/leads/conversion';
import { sql } from 'kysely';
import { can } from '../../core/auth/principal.ts';
import { forbidden } from '../../core/errors.ts';
import { emitEvents } from '../../core/events/outbox.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import {
  createRecords,
  getRecord,
  type RecordCtx,
  recordCtx,
  updateRecords,
} from '../../engine/records/record.service.ts';
import { isStandardObject } from '../../engine/records/standard-objects.ts';
import { OPEN_STATUSES } from './lead.object.ts';
import { lockLead } from './lead-lock.ts';
import { assertNoForeignOwner } from './lead-owners.ts';
import { leadsProblem, statusName } from './leads.messages.ts';

/** Converting a lead into a customer, contact and opportunity (R3.4). */

export interface ConvertInput {
  customer?: { id: string } | { new: Record<string, unknown> };
  contact?: { id: string } | { new: Record<string, unknown> } | null;
  /** Name and amount default to "<company> · <product>" and the lead's budget. */
  opportunity?: { name?: string; amount?: { amount: number; currency: string } } | null;
}

/**
 * R3.6 conversion as named steps in one transaction: lock and check the lead → customer
 * (link or create) → contact (link or create) → opportunity (optional) → mark the lead
 * converted with its links → move the lead's activities onto the customer.
 */
export async function convertLead(ctx: RecordCtx, id: string, input: ConvertInput, locale: Locale) {
  const { tx, principal, actor } = ctx;
  // step 1: lock the lead and check it may be converted by this user
  const row = await lockLead(ctx, id);
  if (!OPEN_STATUSES.includes(row.status))
    throw leadsProblem('conflict', locale, 'not_open', { status: statusName(locale, row.status) });
  const linksExisting = input.customer && 'id' in input.customer;
  if (!linksExisting || (input.customer as { id: string }).id !== row.duplicate_of_id)
    await assertNoForeignOwner(ctx, row, locale);

  // step 2: customer
  const customerCtx = await recordCtx(tx, principal, actor, 'customer');
  let customerId: string;
  if (input.customer && 'id' in input.customer) {
    customerId = (await getRecord(customerCtx, input.customer.id)).id;
  } else {
    if (!can(principal, 'customer:create')) throw forbidden('customer:create');
    const given = input.customer && 'new' in input.customer ? input.customer.new : {};
    const [r] = await createRecords(
      customerCtx,
      [
        {
          name: row.company || row.name,
          kind: row.company ? 'company' : 'person',
          phone: row.company ? null : row.phone,
          email: row.company ? null : row.email,
          industry: row.industry,
          region: row.region,
          source: leadSourceToCustomerSource(row.channel),
          ...given,
        },
      ],
      { via: 'lead_conversion' },
    );
    customerId = r!.id!;
  }

  // step 3: contact
  let contactId: string | null = null;
  if (input.contact && 'id' in input.contact) {
    contactId = (await getRecord(await recordCtx(tx, principal, actor, 'contact'), input.contact.id)).id;
  } else if (input.contact !== null) {
    if (!can(principal, 'contact:create')) throw forbidden('contact:create');
    const given = input.contact && 'new' in input.contact ? input.contact.new : {};
    const [r] = await createRecords(
      await recordCtx(tx, principal, actor, 'contact'),
      [
        {
          name: row.name,
          phone: row.phone,
          email: row.email,
          title: row.title,
          customerId,
          isPrimary: true,
          ...given,
        },
      ],
      { via: 'lead_conversion' },
    );
    contactId = r!.id!;
  }

  // step 4: opportunity (the sales module's object, created through the engine)
  let opportunityId: string | null = null;
  if (input.opportunity) {
    if (!isStandardObject('opportunity'))
      throw leadsProblem('validation', locale, 'opportunity_unavailable', {}, [
        { field: 'opportunity', code: 'unavailable' },
      ]);
    if (!can(principal, 'opportunity:create')) throw forbidden('opportunity:create');
    // The lead's budget is what the prospect said they would spend: the deal starts there.
    // Only a budget the converting user may read travels (nobody learns a hidden field this way).
    const budget =
      ctx.access.get('budget') === 'full'
        ? (row.budget as { amount?: unknown; currency?: unknown } | null)
        : null;
    const amount =
      input.opportunity.amount ??
      (budget && typeof budget.amount === 'number' && budget.amount > 0
        ? { amount: budget.amount, currency: typeof budget.currency === 'string' ? budget.currency : 'CNY' }
        : undefined);
    const [r] = await createRecords(
      await recordCtx(tx, principal, actor, 'opportunity'),
      [
        {
          // Named from what the converting user may read of the lead: a hidden or masked company
          // or product is not spelled out in a record they then read in full.
          name:
            input.opportunity.name?.trim() ||
            opportunityNameFor(
              Object.fromEntries(
                ['company', 'name', 'product', 'campaign'].map((k) => [
                  k,
                  ctx.access.get(k) === 'full' ? row[k] : null,
                ]),
              ),
              locale,
            ),
          customerId,
          contactId,
          leadId: id,
          ...(amount ? { amount } : {}),
        },
      ],
      { trusted: true, via: 'lead_conversion' },
    );
    opportunityId = r!.id!;
  }

  // step 5: the lead becomes converted and keeps its links
  await updateRecords(
    ctx,
    [
      {
        id,
        changes: {
          status: 'converted',
          convertedCustomerId: customerId,
          convertedContactId: contactId,
          convertedOpportunityId: opportunityId,
          convertedAt: new Date().toISOString(),
        },
      },
    ],
    { trusted: true, via: 'lead_conversion' },
  );

  // step 6: the customer timeline keeps the lead's whole history
  const moved = await sql`update activities set customer_id = ${customerId},
      contact_id = coalesce(contact_id, ${contactId}::uuid),
      opportunity_id = coalesce(opportunity_id, ${opportunityId}::text)
    where tenant_id = ${principal.tenantId} and lead_id = ${id} and deleted_at is null and customer_id is null
    returning id`.execute(tx);
  await emitEvents(tx, principal.tenantId, [
    {
      type: 'lead.converted',
      object: 'lead',
      recordId: id,
      payload: {
        id,
        customerId,
        contactId,
        opportunityId,
        activitiesMoved: moved.rows.length,
        channel: row.channel,
      },
    },
  ]);
  return { leadId: id, customerId, contactId, opportunityId, activitiesMoved: moved.rows.length };
}

function leadSourceToCustomerSource(channel: string | null): string | null {
  switch (channel) {
    case 'web_form':
      return 'website';
    case 'referral':
      return 'referral';
    case 'exhibition':
      return 'exhibition';
    case 'wecom':
      return 'wecom';
    case 'ad':
      return 'ad';
    case 'call_center':
      return 'phone';
    case 'walk_in':
      return 'walk_in';
    default:
      return null;
  }
}
