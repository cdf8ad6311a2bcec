import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import type { DemoContext } from '../../engine/module.ts';
import { createTicket } from '../service/index.ts';
import { ensureCategory } from './demo-category.ts';

const CN = 8 * 3600_000;
const localDay = (ms: number) => new Date(ms + CN).toISOString().slice(0, 10);

/**
 * Field service in the demo: two technicians (周晓燕 in 华东, 林丽娟 in 华南) with skills and
 * areas, slots today and tomorrow, work orders dispatched from tickets, and a predictive rule.
 */
export async function seedFieldService(ctx: DemoContext): Promise<void> {
  const t = ctx.tenantId;
  const ids = await inTenant(ctx.database.db, t, async (tx) => {
    const users = (
      await sql<{ id: string; login: string; unit_id: string }>`select id, login, unit_id from users
        where tenant_id = ${t} and login in ('zhou.xiaoyan', 'lin.lijuan')`.execute(tx)
    ).rows;
    const category = await ensureCategory(tx, t, 'fs_repair');
    const tickets: string[] = [];
    const subjects = ['空调不制冷，需上门检修', '热水器点火失败', '净水器滤芯更换', '空调安装移机'];
    for (const [i, subject] of subjects.entries()) {
      const u = users[i % users.length];
      const r = await createTicket(tx, t, {
        subject,
        description: `${subject}（演示数据）`,
        categoryKey: category,
        priority: i === 0 ? 'high' : 'normal',
        channel: 'phone',
        ...(u ? { unitId: u.unit_id } : {}),
        idempotencyKey: `demo-fs-${i}`,
      });
      tickets.push(r.ticketId);
    }
    return { users, tickets };
  });
  if (ids.users.length < 2) return;
  const admin = await ctx.signIn('admin');
  const zhou = ids.users.find((u) => u.login === 'zhou.xiaoyan')!;
  const lin = ids.users.find((u) => u.login === 'lin.lijuan')!;
  await admin('PUT', `/field-service/technicians/${zhou.id}`, {
    skills: ['空调', '热水器'],
    areas: ['上海浦东', '上海徐汇'],
    active: true,
    version: 0,
  });
  await admin('PUT', `/field-service/technicians/${lin.id}`, {
    skills: ['空调', '净水器'],
    areas: ['广州天河'],
    active: true,
    version: 0,
  });
  const today = localDay(ctx.now);
  const tomorrow = localDay(ctx.now + 86_400_000);
  for (const tech of [zhou, lin])
    for (const day of [today, tomorrow])
      await admin('POST', '/field-service/slots', {
        technicianId: tech.id,
        day,
        windows: [
          { from: '09:00', to: '11:00' },
          { from: '13:00', to: '15:00' },
          { from: '15:30', to: '17:30' },
          { from: '19:00', to: '21:00' },
        ],
        capacity: 1,
      });
  const orders = [
    {
      skill: '空调',
      area: '上海浦东',
      address: '上海市浦东新区张杨路 500 号 12 楼',
      lat: 31.2304,
      lng: 121.5177,
      name: '赵先生',
    },
    {
      skill: '热水器',
      area: '上海徐汇',
      address: '上海市徐汇区漕溪北路 88 号',
      lat: 31.1886,
      lng: 121.437,
      name: '钱女士',
    },
    {
      skill: '净水器',
      area: '广州天河',
      address: '广州市天河区天河路 385 号',
      lat: 23.1322,
      lng: 113.3246,
      name: '孙先生',
    },
  ];
  for (const [i, o] of orders.entries()) {
    await admin('POST', '/field-service/work-orders', {
      ticketId: ids.tickets[i],
      skill: o.skill,
      area: o.area,
      address: o.address,
      lat: o.lat,
      lng: o.lng,
      customerName: o.name,
      customerPhone: `1380013800${i}`,
      day: tomorrow,
    }).catch(() => undefined);
  }
  const segments = await admin<{ items: { id: string; name: string }[] }>('GET', '/cdp/segments');
  const seg = segments.items.find((s) => s.name.includes('重点')) ?? segments.items[0];
  if (seg)
    await admin('POST', '/field-service/predictive-rules', {
      name: '重点客户季度上门保养',
      segmentId: seg.id,
      categoryKey: 'fs_repair',
      priority: 'normal',
      dailyCap: 5,
      period: 'quarter',
      active: true,
    });
}
