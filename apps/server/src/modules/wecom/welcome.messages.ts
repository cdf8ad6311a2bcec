import { moduleMessages } from '../../core/i18n/module-messages.ts';

/** Welcome-message attachment texts (zh-CN first, en-US). */
const zh: Record<string, string> = {
  material_missing: '素材不存在或您无权使用',
  material_unusable: '该素材不能作为欢迎语附件（文章请先生成链接；小程序需要封面图）',
};
const en: Record<string, string> = {
  material_missing: 'The material does not exist or you may not use it',
  material_unusable:
    'This material cannot be a welcome attachment (share an article as a link first; a mini-program needs a cover image)',
};

export const { text: welcomeText } = moduleMessages(zh, en);
