import admin from './admin/index.ts';
import analytics from './analytics/index.ts';
import approvals from './approvals/index.ts';
import campaigns from './campaigns/index.ts';
import cards from './cards/index.ts';
import cdp from './cdp/index.ts';
import chats from './chats/index.ts';
import coupons from './coupons/index.ts';
import crm from './crm/index.ts';
import dealerNetwork from './dealer-network/index.ts';
import dealers from './dealers/index.ts';
import fieldSales from './field-sales/index.ts';
import fieldService from './field-service/index.ts';
import fission from './fission/index.ts';
import home from './home/index.ts';
import journeys from './journeys/index.ts';
import leads from './leads/index.ts';
import loyalty from './loyalty/index.ts';
import materials from './materials/index.ts';
import memberMall from './member-mall/index.ts';
import messaging from './messaging/index.ts';
import notifications from './notifications/index.ts';
import outreach from './outreach/index.ts';
import sales from './sales/index.ts';
import scripts from './scripts/index.ts';
import search from './search/index.ts';
import service from './service/index.ts';
import sidebar from './sidebar/index.ts';
import staffAnalytics from './staff-analytics/index.ts';
import surveys from './surveys/index.ts';
import tradePromotion from './trade-promotion/index.ts';
import wecom from './wecom/index.ts';

/**
 * THE list of modules (ARCHITECTURE.md §2). Adding a module is one folder plus one line here;
 * a module comes after the modules it `requires` (the loader checks).
 */
export const modules = [
  admin,
  crm,
  notifications,
  leads,
  approvals,
  sales,
  analytics,
  cdp,
  coupons,
  search,
  materials,
  wecom,
  chats,
  cards,
  fission,
  scripts,
  sidebar,
  outreach,
  staffAnalytics,
  messaging,
  journeys,
  loyalty,
  campaigns,
  home,
  tradePromotion,
  dealers,
  dealerNetwork,
  service,
  surveys,
  fieldService,
  fieldSales,
  memberMall,
] as const;
