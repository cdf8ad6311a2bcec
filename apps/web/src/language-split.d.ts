// One language's copy of a module's messages.ts (build/language-split.ts): only the export for that language is kept.
type Strings = Record<string, unknown>;
declare module '*?lang=zh-CN' {
  export const zh: Strings;
  export const zhCN: Strings;
}
declare module '*?lang=en-US' {
  export const en: Strings;
  export const enUS: Strings;
}
