// A module page that shows another module's component shows that module's strings too; with strings
// loading lazily per module (WebModule.navLabels), the page must name the other module in `uses`, or the
// component renders raw keys ("scripts.suggestedFor"). This reads the sources, so a new import cannot
// forget it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const here = import.meta.dirname;
const folders = readdirSync(here).filter((f) => statSync(join(here, f)).isDirectory());

const manifest = (folder: string) => {
  try {
    return readFileSync(join(here, folder, 'module.tsx'), 'utf8');
  } catch {
    return undefined;
  }
};
const moduleKey = (folder: string) => /^\s*key: '([^']+)'/m.exec(manifest(folder) ?? '')?.[1];

const sourcesOf = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sourcesOf(p);
    return /\.tsx?$/.test(f) && !f.endsWith('.test.ts') ? [readFileSync(p, 'utf8')] : [];
  });

describe('web modules name the modules whose components they show', () => {
  for (const folder of folders) {
    const own = manifest(folder);
    if (!own?.includes('navLabels')) continue; // its strings load at start with everyone's
    it(folder, () => {
      const imported = new Set(
        sourcesOf(join(here, folder)).flatMap((s) =>
          [...s.matchAll(/from '\.\.\/([a-z-]+)/g)].map((m) => m[1]!),
        ),
      );
      const uses = /uses: \[([^\]]*)\]/.exec(own)?.[1] ?? '';
      for (const other of imported) {
        const key = moduleKey(other);
        if (!key || !manifest(other)?.includes('navLabels')) continue;
        assert.ok(uses.includes(`'${key}'`), `${folder} shows ${other}'s components: add uses: ['${key}']`);
      }
    });
  }
});
