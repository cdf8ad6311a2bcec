import { moduleMessages } from '../../core/i18n/module-messages.ts';

/** 门店活码 problem texts (zh-CN first, en-US). */
const zh: Record<string, string> = {
  store_state_taken: '渠道参数「{state}」已被使用',
  store_unit_invalid: '组织 {unit} 不是您可见的门店',
  store_duplicate: '门店 {unit} 重复',
  store_code_changed: '门店活码已被他人修改，请刷新后再改',
};
const en: Record<string, string> = {
  store_state_taken: 'The state “{state}” is already used',
  store_unit_invalid: 'Unit {unit} is not a store you can see',
  store_duplicate: 'Store {unit} is listed twice',
  store_code_changed: 'Someone else changed this store code; reload and edit again',
};

export const { text: storeText, problem: storeProblem } = moduleMessages(zh, en);
