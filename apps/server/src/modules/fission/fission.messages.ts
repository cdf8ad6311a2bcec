import { moduleMessages } from '../../core/i18n/module-messages.ts';

/** The fission module's own problem texts (zh-CN first, en-US). */
const zh: Record<string, string> = {
  not_running: '活动未开始或已结束',
};
const en: Record<string, string> = {
  not_running: 'The campaign has not started or has ended',
};

export const { text: fissionText, problem: fissionProblem } = moduleMessages(zh, en);
