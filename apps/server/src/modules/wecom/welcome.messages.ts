import { moduleMessages } from '../../core/i18n/module-messages.ts';

/** Welcome-message attachment texts (zh-CN first, en-US). */
const zh: Record<string, string> = {
  material_missing: '素材不存在或您无权使用',
  material_unusable: '该素材不能作为企业微信附件（文章请先生成链接；小程序需要封面图）',
  text_too_long: '企业微信欢迎语最多 4000 字节（约 1333 个汉字）',
  material_too_big: '企业微信不接受该文件：图片须为 JPG/PNG 且不超过 10 MB，文件不超过 20 MB',
};
const en: Record<string, string> = {
  material_missing: 'The material does not exist or you may not use it',
  material_unusable:
    'This material cannot be a WeCom attachment (share an article as a link first; a mini-program needs a cover image)',
  text_too_long: 'A WeCom welcome message is at most 4000 bytes (about 1333 Chinese characters)',
  material_too_big: 'WeCom does not take this file: images must be JPG/PNG up to 10 MB, files up to 20 MB',
};

export const { text: welcomeText } = moduleMessages(zh, en);
