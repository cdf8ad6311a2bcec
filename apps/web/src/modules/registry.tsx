import type { WebModule } from '../app/web-modules';
import { campaignsModule } from './campaigns/module';
import { cardsModule } from './cards/module';
import { cdpModule } from './cdp/module';
import { chatsModule } from './chats/module';
import { couponsModule } from './coupons/module';
import { customersModule } from './customers/module';
import { dealerNetworkModule } from './dealer-network/module';
import { dealersModule } from './dealers/module';
import { fieldSalesModule } from './field-sales/module';
import { fieldServiceModule } from './field-service/module';
import { fissionModule } from './fission/module';
import { journeysModule } from './journeys/module';
import { leadsModule } from './leads/module';
import { loyaltyModule } from './loyalty/module';
import { materialsModule } from './materials/module';
import { memberMallModule } from './member-mall/module';
import { messagingModule } from './messaging/module';
import { outreachModule } from './outreach/module';
import { salesModule } from './sales/module';
import { scriptsModule } from './scripts/module';
import { serviceModule } from './service/module';
import { sidebarModule } from './sidebar/module';
import { staffAnalyticsModule } from './staff-analytics/module';
import { surveysModule } from './surveys/module';
import { tradePromotionModule } from './trade-promotion/module';
import { wecomModule } from './wecom/module';

/**
 * THE one list of web modules. main.tsx hands the shell a loader for it (WebModulesProvider); nothing
 * else imports a module. Adding a module = its folder with a module.tsx, plus one line here.
 */
export const WEB_MODULES: readonly WebModule[] = [
  leadsModule,
  salesModule,
  cdpModule,
  customersModule,
  wecomModule,
  chatsModule,
  materialsModule,
  scriptsModule,
  sidebarModule,
  outreachModule,
  staffAnalyticsModule,
  cardsModule,
  fissionModule,
  journeysModule,
  couponsModule,
  loyaltyModule,
  campaignsModule,
  tradePromotionModule,
  dealersModule,
  dealerNetworkModule,
  surveysModule,
  fieldServiceModule,
  fieldSalesModule,
  memberMallModule,
  serviceModule,
  messagingModule,
];
