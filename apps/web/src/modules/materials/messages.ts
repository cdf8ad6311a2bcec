import * as library from './messages-materials';

export const zh = { ...library.zh, sidebarTab: '素材' };
export const en: typeof zh = { ...library.en, sidebarTab: 'Materials' };
