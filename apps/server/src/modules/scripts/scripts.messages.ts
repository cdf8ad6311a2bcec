import { moduleMessages } from '../../core/i18n/module-messages.ts';

/** The scripts module's problem texts (zh-CN first, en-US). */
const zh: Record<string, string> = {
  unit_outside: '只能在本单位及下级单位发布话术',
  category_unknown: '分类不存在',
  category_too_deep: '分类最多两级',
  category_taken: '同级下已有同名分类',
  category_not_empty: '分类下还有话术或子分类，不能删除',
  scope_needs_manage: '发布公司或团队话术需要“管理话术库”权限',
};
const en: Record<string, string> = {
  unit_outside: 'Scripts can only be published to your unit or the units below it',
  category_unknown: 'No such category',
  category_too_deep: 'Categories are at most two levels deep',
  category_taken: 'A category with this name already exists at this level',
  category_not_empty: 'The category still holds scripts or sub-categories and cannot be deleted',
  scope_needs_manage: 'Publishing company or team scripts needs the “Manage script library” permission',
};

export const { text: st, problem: scriptProblem } = moduleMessages(zh, en);
