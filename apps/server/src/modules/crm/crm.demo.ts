import type { DemoContext } from '../../engine/module.ts';

/**
 * Retail customers who also shop online: the CDP links them to their web profiles (their phones
 * are left in the demo state for the CDP's step). Linked after commit like any CRM write.
 */
export async function seedCrmPeople(ctx: DemoContext): Promise<void> {
  const admin = await ctx.signIn('admin');
  const records = NAMES.map((name, i) => ({
    name,
    kind: 'person',
    phone: `188${String(30_000_000 + i * 104_729).slice(0, 8)}`,
    source: 'website',
    level: ['A', 'B', 'C'][i % 3],
  }));
  await admin('POST', '/records/customer/bulk', { op: 'create', records });
  ctx.state.set(
    'crm.phones',
    records.map((r) => r.phone),
  );
  await ctx.drain();
}

const NAMES = [
  '林晓峰',
  '郑雅文',
  '高明远',
  '罗欣怡',
  '梁志诚',
  '宋佳琪',
  '唐浩宇',
  '韩梦瑶',
  '冯子轩',
  '曹婉清',
  '许嘉宁',
  '邓思远',
  '彭雨桐',
  '曾凯文',
  '谢静怡',
  '董宇航',
  '袁诗涵',
  '潘俊杰',
  '蔡欣然',
  '蒋文博',
  '余若溪',
  '杜子墨',
  '叶晨曦',
  '程一诺',
  '苏慕白',
  '魏书瑶',
  '吕泽宇',
  '丁可欣',
  '沈浩然',
  '任雨萱',
];
