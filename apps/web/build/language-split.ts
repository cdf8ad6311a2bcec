import { readFileSync } from 'node:fs';
import type { Plugin } from 'vite';

const QUERY = /\?lang=(zh-CN|en-US)$/;

/**
 * `import('./messages?lang=zh-CN')` gives a copy of messages.ts of its own, so the build keeps only the
 * export that copy's importer reads: a module's strings come in one file per language and a
 * Chinese session never downloads the English ones (and the reverse). Relative imports inside a copy
 * keep the query (a messages-<feature>.ts spread into messages.ts is split the same way).
 */
export function languageSplit(): Plugin {
  return {
    name: 'kehu-language-split',
    enforce: 'pre',
    async resolveId(source, importer) {
      const own = QUERY.exec(source);
      const inherited = importer && source.startsWith('.') ? QUERY.exec(importer) : null;
      const lang = own ?? inherited;
      if (!lang) return null;
      const resolved = await this.resolve(source.replace(QUERY, ''), importer?.replace(QUERY, ''), {
        skipSelf: true,
      });
      return resolved ? `${resolved.id}?lang=${lang[1]}` : null;
    },
    load(id) {
      if (!QUERY.test(id)) return null;
      return readFileSync(id.replace(QUERY, ''), 'utf8');
    },
  };
}
