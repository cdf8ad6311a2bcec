import type { GroupTransferInput } from '@kehu/contracts/wecom-transfers';
import { sql } from 'kysely';
import { type Actor, writeAuditMany } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Database } from '../../core/db/database.ts';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { invalid } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { wecomFailure } from './codes.service.ts';
import { WeComClient } from './connector/client.ts';
import { corpRuntime, getCorp } from './corps.service.ts';
import { transferText } from './transfer-messages.ts';

const API = {
  resigned: 'externalcontact/groupchat/transfer',
  onjob: 'externalcontact/groupchat/onjob_transfer',
};

/**
 * Group owner transfer (离职/在职继承 of 客户群). WeCom answers at once per chat; Kehu records the
 * new owner for the ones it moved (the change_owner callback confirms it later) and audits each.
 */
export async function transferGroups(
  database: Database,
  p: Principal,
  actor: Actor,
  input: GroupTransferInput,
  locale: Locale,
) {
  const corp = await inTenant(database.db, p.tenantId, async (tx) => {
    await getCorp(tx, p, input.corpRef);
    const known = (
      await sql<{ chat_id: string }>`select chat_id from wecom_groups where tenant_id = ${p.tenantId}
        and corp_ref = ${input.corpRef} and chat_id = any(${input.chatIds}::text[])`.execute(tx)
    ).rows;
    // The corp is the scope (another's corp → 404 above); a chat it does not hold is bad input.
    if (known.length !== new Set(input.chatIds).size)
      throw invalid([
        { field: 'chatIds', code: 'unknown_group', message: transferText.text(locale, 'unknown_group') },
      ]);
    return corpRuntime(tx, p.tenantId, input.corpRef);
  });
  let failedList: Array<{ chat_id: string; errcode: number }> = [];
  try {
    const res = await new WeComClient(database, corp).post(API[input.kind], {
      chat_id_list: input.chatIds,
      new_owner: input.newOwner,
    });
    failedList = res.failed_chat_list ?? [];
  } catch (err) {
    wecomFailure(locale, err);
  }
  const failed = new Set(failedList.map((f) => f.chat_id));
  const moved = input.chatIds.filter((c) => !failed.has(c));
  await inTenant(database.db, p.tenantId, async (tx) => {
    const before = (
      await sql<{
        id: string;
        owner_userid: string;
      }>`update wecom_groups g set owner_userid = ${input.newOwner}
        from (select id, owner_userid from wecom_groups where tenant_id = ${p.tenantId} and corp_ref = ${input.corpRef}
          and chat_id = any(${moved}::text[]) for update) old
        where g.tenant_id = ${p.tenantId} and g.id = old.id returning g.id, old.owner_userid`.execute(tx)
    ).rows;
    await writeAuditMany(
      tx,
      actor,
      before.map((r) => ({
        action: 'update',
        object: 'wecom_group',
        recordId: r.id,
        changes: [{ field: 'owner', from: r.owner_userid, to: input.newOwner }],
        meta: { via: `wecom_group_transfer_${input.kind}` },
      })),
    );
  });
  return {
    transferred: moved.length,
    failed: failedList.map((f) => ({
      chatId: f.chat_id,
      errcode: Number(f.errcode),
      reason: [40050, 90500, 90501].includes(Number(f.errcode))
        ? transferText.text(locale, `group_errcode_${f.errcode}`)
        : transferText.text(locale, 'errcode_other', { errcode: f.errcode }),
    })),
  };
}
