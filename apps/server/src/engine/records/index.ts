import { defineModule } from '../module.ts';
import { exportRoutes } from './export/export.routes.ts';
import { importJob } from './import/import.job.ts';
import { importRoutes } from './import/import.routes.ts';
import { IMPORT_QUEUE } from './import/import.service.ts';
import { metadataRoutes } from './metadata.routes.ts';
import { recordRoutes } from './record.routes.ts';
import { viewRoutes } from './views.routes.ts';

/**
 * The record engine as the loader sees it: the generic record, metadata, view, import and
 * export routes every object gets, the import job and the engine's tables. It is installed
 * before the modules (whose objects it serves) and is not in modules/index.ts.
 */
export const recordEngine = defineModule({
  name: 'records',
  label: { 'zh-CN': '记录引擎', 'en-US': 'Record engine' },
  // Import/export routes come before the generic `/records/:object/:id` ones they resemble.
  routes: [...metadataRoutes, ...importRoutes, ...exportRoutes, ...recordRoutes, ...viewRoutes],
  jobs: { [IMPORT_QUEUE]: importJob },
  migrations: new URL('./migrations/', import.meta.url),
});
