import { defineModule } from '../../engine/module.ts';
import { analyticsRoutes } from './analytics.routes.ts';
import { type ProspectSource, registerProspectSource } from './prospect-source.ts';

/** Sales analytics (R10.2, R11.1): funnel, conversion, forecast and leaderboard read models over the sales module. */
export default defineModule({
  name: 'analytics',
  label: { 'zh-CN': '销售分析', 'en-US': 'Sales analytics' },
  requires: ['sales', 'leads'],
  routes: analyticsRoutes,
  extensionPoints: {
    'funnel-prospects': (value) => registerProspectSource(value as ProspectSource),
  },
});

/** The CDP counts 潜客 for the funnel through the `funnel-prospects` point. */
export type { ProspectSource } from './prospect-source.ts';
