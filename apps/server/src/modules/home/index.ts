import { HOME_PERMISSIONS, Today } from '@kehu/contracts/home';
import { defineRoute } from '../../core/http/route.ts';
import { defineModule } from '../../engine/module.ts';
import { homeCards } from '../../engine/module-loader.ts';
import { today } from './today.service.ts';

/** The home page's "my day": the home cards every module declares, composed in one authenticated read. */
export default defineModule({
  name: 'home',
  label: { 'zh-CN': '我的今天', 'en-US': 'My day' },
  routes: [
    defineRoute({
      method: 'GET',
      url: '/me/today',
      permission: HOME_PERMISSIONS.today,
      summary:
        'My day: the home cards of every module the caller works with (leads by SLA urgency, follow-ups due, deals closing this month, quotes in approval, my target, approvals waiting for me, team SLA breaches and pipeline, recent notifications); cards the caller may not see are left out',
      tags: ['home'],
      response: Today,
      // Acts on the caller only (no params): the permission matrix probes it as `self`.
      handler: (req) =>
        req.tx((tx) => today(homeCards(), tx, req.principal, req.actor, req.locale), { readOnly: true }),
    }),
  ],
});
