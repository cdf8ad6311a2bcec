import { sql } from 'kysely';
import { generatePassword, hashPassword, passwordPolicyOk } from '../../../core/auth/password.ts';
import type { Database } from '../../../core/db/database.ts';
import { newId } from '../../../core/ids.ts';

/** `kehu user create`: the operator's way in when no admin can sign in. */
export async function createUserCli(
  database: Database,
  o: { tenant: string; login: string; name: string; unitCode?: string; role?: string; password?: string },
): Promise<{ login: string; password?: string }> {
  if (!/^[A-Za-z0-9._@-]{2,60}$/.test(o.login)) throw new Error('--login: 2–60 letters, digits, . _ @ -');
  if (o.password && !passwordPolicyOk(o.password))
    throw new Error('--password: at least 10 characters with letters and digits');
  return database.db.transaction().execute(async (tx) => {
    const tenant = (await sql<{ id: string }>`select id from tenants where slug = ${o.tenant}`.execute(tx))
      .rows[0];
    if (!tenant) throw new Error(`no tenant "${o.tenant}"`);
    const unit = (
      await sql<{ id: string }>`select id from units where tenant_id = ${tenant.id} and deleted_at is null
        and ${o.unitCode ? sql`code = ${o.unitCode}` : sql`parent_id is null`} limit 1`.execute(tx)
    ).rows[0];
    if (!unit) throw new Error(`no unit with code "${o.unitCode}"`);
    const role = (
      await sql<{
        id: string;
      }>`select id from roles where tenant_id = ${tenant.id} and name = ${o.role ?? '系统管理员'}`.execute(tx)
    ).rows[0];
    if (!role) throw new Error(`no role "${o.role ?? '系统管理员'}"`);
    const password = o.password ?? generatePassword();
    const id = newId();
    await sql`insert into users (tenant_id, id, login, name, unit_id, password_hash) values (${tenant.id}, ${id}, ${o.login}, ${o.name}, ${unit.id}, ${await hashPassword(password)})`.execute(
      tx,
    );
    await sql`insert into user_roles (tenant_id, user_id, role_id) values (${tenant.id}, ${id}, ${role.id})`.execute(
      tx,
    );
    await sql`update tenants set authz_version = authz_version + 1 where id = ${tenant.id}`.execute(tx);
    return { login: o.login, password: o.password ? undefined : password };
  });
}
