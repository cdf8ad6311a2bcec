import type { WebModule } from '../app/web-modules';
import i18n from '../i18n';
import { cdpModule } from './cdp/module';
import { leadsModule } from './leads/module';
import { salesModule } from './sales/module';

/**
 * THE one list of web modules. main.tsx hands it to the shell (WebModulesProvider); nothing else
 * imports a module. Adding a module = its folder with a module.tsx, plus one line here.
 */
export const WEB_MODULES: readonly WebModule[] = [leadsModule, salesModule, cdpModule];

for (const m of WEB_MODULES) {
  i18n.addResourceBundle('zh-CN', 'translation', { [m.key]: m.messages['zh-CN'] }, true, false);
  i18n.addResourceBundle('en-US', 'translation', { [m.key]: m.messages['en-US'] }, true, false);
}
