import type { DemoContext } from '../../engine/module.ts';

/** Titles and one-line intros of the demo staff (the simulator's corp maps them by login). */
const STAFF: Array<[login: string, title: string, bio: string]> = [
  ['zhang.wei', '浦东张江店 店长', '十年汽车销售与服务经验，带领门店连续三年获评五星门店。'],
  ['sun.lei', '高级销售顾问', '专注新能源 SUV，试驾、置换、金融方案一站式帮您算清楚。'],
  ['zhao.jing', '销售顾问', '家用车选购小能手，周末也可预约到店看车。'],
  ['xu.ming', '大客户经理', '企业采购与车队方案，政企客户专属服务。'],
  ['liu.yang', '区域经理', '华东区域客户服务与活动负责人。'],
  ['ma.chao', '销售顾问', '性能车与改装爱好者，陪您把每个细节看清楚。'],
  ['zhu.ting', '客服专员', '售后预约、保养提醒、保险理赔，有问题随时找我。'],
  ['hu.bin', '二手车置换顾问', '老车评估当天出价，置换补贴帮您叠加到最多。'],
];

/**
 * A business card per demo staff member with three featured materials from the library (their
 * own tracked links), so `/cards/me` and the public card page show something real on first start.
 */
export async function seedCards(ctx: DemoContext): Promise<void> {
  for (const [login, title, bio] of STAFF) {
    const as = await staff(ctx, login);
    if (!as) continue;
    const materials = await as<{ items: Array<{ id: string; kind: string }> }>('GET', '/materials').catch(
      () => ({ items: [] }),
    );
    const featured = materials.items
      .filter((m) => ['article', 'poster', 'pdf', 'video'].includes(m.kind))
      .slice(0, 3)
      .map((m) => m.id);
    await as('PUT', '/cards/me', { title, bio, showPhone: false, featuredMaterialIds: featured });
  }
}

/** With the simulator: each card's add-me code (a contact way of the demo corp). */
export async function cardsWithSimulator(ctx: DemoContext): Promise<void> {
  for (const [login] of STAFF)
    await (await staff(ctx, login))?.('POST', '/cards/me/code').catch(() => undefined);
}

/** A demo user this tenant has, signed in; undefined for one it does not have. */
function staff(ctx: DemoContext, login: string) {
  return ctx.signIn(login).catch(() => undefined);
}
