import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import type { DemoContext } from '../../engine/module.ts';

/** A one-pixel PNG: a qualification "document" small enough for the demo database. */
const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

/**
 * The dealer-network story on first start: the public 招商 form with three applications at
 * different stages, and an HQ display task pushed to every store of 华东大区, one store done.
 */
export async function seedDealerNetwork(ctx: DemoContext) {
  const units = await inTenant(ctx.database.db, ctx.tenantId, async (tx) =>
    Object.fromEntries(
      (
        await sql<{
          code: string;
          id: string;
        }>`select code, id from units where tenant_id = ${ctx.tenantId}`.execute(tx)
      ).rows.map((r) => [r.code, r.id]),
    ),
  );
  if (!units.EC || !units.HQ) return;
  const hq = await ctx.signIn('wang.jianguo');
  const form = await hq<{ formKey: string }>('POST', '/recruitment/form');
  const apply = (body: Record<string, unknown>) =>
    hq<{ reference: string }>('POST', `/public/dealer-applications/${form.formKey}`, body);
  await apply({
    company: '苏州园区汽车贸易有限公司',
    contactName: '钱立新',
    phone: '13912345671',
    region: '苏州',
    category: '整车',
    message: '已有 4S 店经营经验 8 年，希望代理华东区域',
    documents: [{ name: '营业执照.png', kind: 'license', content: PNG }],
  });
  await apply({
    company: '宁波北仑汽车服务有限公司',
    contactName: '孙海燕',
    phone: '13912345672',
    region: '宁波',
    category: '售后服务',
    documents: [],
  });
  await apply({
    company: '佛山禅城车业有限公司',
    contactName: '黎志明',
    phone: '13912345673',
    region: '佛山',
    category: '配件',
    documents: [{ name: '资质证明.png', kind: 'qualification', content: PNG }],
  });
  const list = await hq<{ items: { id: string; company: string; version: number }[] }>(
    'GET',
    '/recruitment/applications',
  );
  const suzhou = list.items.find((a) => a.company.startsWith('苏州'));
  if (suzhou) {
    const a = await hq<{ version: number }>('POST', `/recruitment/applications/${suzhou.id}/stage`, {
      version: suzhou.version,
      to: 'reviewing',
      unitId: units.EC,
    });
    await hq('POST', `/recruitment/applications/${suzhou.id}/notes`, {
      text: '营业执照已核对，注册资本 2000 万；待区域经理实地考察',
    });
    void a;
  }
  const due = new Date(ctx.now + 5 * 24 * 3600_000).toISOString();
  const task = await hq<{ id: string }>('POST', '/hq-tasks', {
    title: '春季新品陈列到位',
    body: '按陈列手册布置新品展台，拍照上传',
    kind: 'campaign',
    dueAt: due,
    proof: 'text',
    targetRootIds: [units.EC],
    unitTypes: ['store'],
  });
  const sun = await ctx.signIn('sun.lei');
  const mine = await sun<{ items: { id: string; target: { id: string; version: number } }[] }>(
    'GET',
    '/unit-tasks',
  );
  const t = mine.items.find((x) => x.id === task.id);
  if (t)
    await sun('POST', `/unit-tasks/${t.target.id}/complete`, {
      version: t.target.version,
      text: '展台已布置，新品海报已张贴',
    });
}
