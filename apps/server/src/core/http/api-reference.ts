import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { notFound } from '../errors.ts';
import { pickLocale } from '../i18n/locale.ts';
import { sendProblem } from './problem.ts';

/**
 * The interactive API reference at /api/docs: Swagger UI from the swagger-ui-dist package, served
 * from our own origin (no CDN, no web fonts), so it works offline and under the app's strict CSP.
 * The page carries no inline script: the initialiser is a file too.
 */

const swaggerDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const swaggerVersion: string = JSON.parse(readFileSync(join(swaggerDir, 'package.json'), 'utf8')).version;
const initialiser = join(dirname(fileURLToPath(import.meta.url)), 'api-reference.client.js');

const files: Record<string, { path: string; type: string }> = {
  'swagger-ui.css': { path: join(swaggerDir, 'swagger-ui.css'), type: 'text/css; charset=utf-8' },
  'swagger-ui-bundle.js': {
    path: join(swaggerDir, 'swagger-ui-bundle.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'api-reference.js': { path: initialiser, type: 'text/javascript; charset=utf-8' },
};

// The asset URLs change whenever Swagger UI or our initialiser does, so browsers may keep them forever.
const assetVersion = createHash('sha256')
  .update(swaggerVersion)
  .update(readFileSync(initialiser))
  .digest('hex')
  .slice(0, 12);
const assetBase = `/api/docs/ui/${assetVersion}`;

/** The app's policy (no inline script, nothing from other origins); the reference passes it unchanged. */
export const API_REFERENCE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "frame-ancestors 'none'",
].join('; ');

export const SPEC_URL = '/api/docs/openapi.json';

const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kehu API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${assetBase}/swagger-ui.css">
</head>
<body>
<div id="api-reference" data-spec-url="${SPEC_URL}"></div>
<script src="${assetBase}/swagger-ui-bundle.js"></script>
<script src="${assetBase}/api-reference.js"></script>
</body>
</html>
`;

export function registerApiReference(app: FastifyInstance) {
  app.get('/api/docs', (_req, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', API_REFERENCE_CSP)
      .header('cache-control', 'no-cache')
      .send(page),
  );
  app.get<{ Params: { version: string; file: string } }>('/api/docs/ui/:version/:file', (req, reply) => {
    const file = Object.hasOwn(files, req.params.file) ? files[req.params.file] : undefined;
    if (!file || req.params.version !== assetVersion) {
      return sendProblem(reply, notFound('resource'), pickLocale(req.headers['accept-language']));
    }
    return reply
      .type(file.type)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(createReadStream(file.path));
  });
}
