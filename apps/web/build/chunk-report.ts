import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plugin } from 'vite';

/**
 * With KEHU_CHUNK_REPORT=1, `vite build` writes dist/chunk-report.json: for every chunk, its static
 * imports and the source modules in it with their rendered size. Enough to see why a page needs a
 * chunk (bench/web-chunks.ts walks it from a page's entry) without a visualiser dependency.
 */
const short = (id: string) => id.replace(/^.*node_modules\//, 'npm:').replace(/^.*apps\/web\//, '');

export function chunkReport(): Plugin {
  let outDir = 'dist';
  return {
    name: 'kehu-chunk-report',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir.startsWith('/')
        ? config.build.outDir
        : join(config.root, config.build.outDir);
    },
    generateBundle(_options, bundle) {
      if (!process.env.KEHU_CHUNK_REPORT) return;
      const chunks = Object.values(bundle)
        .filter((c) => c.type === 'chunk')
        .map((c) => ({
          file: c.fileName,
          name: c.name,
          imports: c.imports,
          dynamicImports: c.dynamicImports,
          modules: Object.entries(c.modules)
            .map(([id, m]) => ({
              id: short(id),
              bytes: m.renderedLength,
              importers: [
                ...(this.getModuleInfo(id)?.importers ?? []),
                ...(this.getModuleInfo(id)?.dynamicImporters ?? []),
              ].map(short),
            }))
            .sort((a, b) => b.bytes - a.bytes),
        }));
      writeFileSync(join(outDir, 'chunk-report.json'), JSON.stringify(chunks, null, 1));
    },
  };
}
