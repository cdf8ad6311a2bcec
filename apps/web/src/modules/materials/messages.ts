import * as library from './messages-materials';

export const zh = { ...library.zh };
export const en: typeof zh = { ...library.en };
