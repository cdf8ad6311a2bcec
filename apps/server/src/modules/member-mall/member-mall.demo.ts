import type { DemoContext } from '../../engine/module.ts';

export async function seedMemberMall(_ctx: DemoContext): Promise<void> {}
