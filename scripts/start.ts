// `npm start`: builds the web app on first run, then starts Kehu (API + workers + web UI).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(root, 'apps/web/dist/index.html')) && existsSync(join(root, 'apps/web/index.html'))) {
  console.log('Building the web app (first start only) …');
  const r = spawnSync('npm', ['run', 'build', '-w', 'apps/web'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0)
    console.warn('Web build failed; the API still starts. Run `npm run build:web` to see why.');
}
process.argv.splice(2, 0, 'start');
await import('../apps/server/src/main.ts');
