import { SURVEY_PERMISSIONS } from '@kehu/contracts/surveys';
import { defineModule } from '../../engine/module.ts';
import { SEND_QUEUE, scheduleReturnVisit, sendInviteJob } from './invite.service.ts';
import { registerSurveyPages } from './public-page.ts';
import { surveyCdpSubscriber } from './surveys.cdp.ts';
import { seedSurveys } from './surveys.demo.ts';
import { surveyRoutes } from './surveys.routes.ts';

const label = (zh: string, en: string) => ({ 'zh-CN': zh, 'en-US': en });
const SERVICE_MANAGERS = ['总部销售经理', '区域经理', '经销商店长'];

/** 满意度回访 (R8.2): a survey within 24 h of every closed ticket; low scores reopen it as a complaint. */
export default defineModule({
  name: 'surveys',
  label: label('满意度回访', 'Satisfaction surveys'),
  requires: ['cdp', 'cards', 'messaging', 'service'],
  routes: surveyRoutes,
  // The public survey page /s/<token>: no sign-in, the token is the authority.
  http: registerSurveyPages,
  jobs: { [SEND_QUEUE]: sendInviteJob },
  subscribers: [
    { name: 'surveys-ticket-closed', pattern: 'ticket.closed', handle: scheduleReturnVisit },
    surveyCdpSubscriber,
  ],
  permissions: [
    {
      key: SURVEY_PERMISSIONS.read,
      label: label('查看满意度回访', 'View satisfaction surveys'),
      description: label(
        '本单位及下级单位的回访记录与满意度报表（CSAT、NPS、回复率）',
        "Return visits and satisfaction reports (CSAT, NPS, response rate) of one's unit and below",
      ),
      demoRoles: [...SERVICE_MANAGERS, '数据分析师'],
    },
    {
      key: SURVEY_PERMISSIONS.manage,
      label: label('管理回访设置', 'Manage survey settings'),
      description: label(
        '回访渠道、发送延迟、有效期与低分转投诉阈值',
        'Survey channel, delay, expiry and the low-score thresholds that reopen tickets as complaints',
      ),
      demoRoles: ['总部销售经理'],
    },
  ],
  migrations: new URL('./migrations/', import.meta.url),
  demo: { order: 120, run: seedSurveys },
});
