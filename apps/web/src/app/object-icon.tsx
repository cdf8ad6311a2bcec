import {
  AimOutlined, AppstoreOutlined, AuditOutlined, BankOutlined, BarChartOutlined, CalendarOutlined,
  ContactsOutlined, CustomerServiceOutlined, DollarOutlined, FileTextOutlined, FlagOutlined, GiftOutlined,
  IdcardOutlined, MessageOutlined, NotificationOutlined, ProductOutlined, ProfileOutlined, RocketOutlined,
  ShopOutlined, ShoppingCartOutlined, SolutionOutlined, TagsOutlined, TeamOutlined, TrophyOutlined,
  UserOutlined,
} from '@ant-design/icons';
import type { ReactNode } from 'react';

const ICONS: Record<string, ReactNode> = {
  team: <TeamOutlined />, customer: <TeamOutlined />, user: <UserOutlined />, contact: <ContactsOutlined />,
  contacts: <ContactsOutlined />, idcard: <IdcardOutlined />, shop: <ShopOutlined />, store: <ShopOutlined />,
  dealer: <ShopOutlined />, bank: <BankOutlined />, dollar: <DollarOutlined />, money: <DollarOutlined />,
  opportunity: <RocketOutlined />, rocket: <RocketOutlined />, lead: <AimOutlined />, aim: <AimOutlined />,
  file: <FileTextOutlined />, 'file-text': <FileTextOutlined />, contract: <FileTextOutlined />,
  order: <ShoppingCartOutlined />, 'shopping-cart': <ShoppingCartOutlined />, product: <ProductOutlined />,
  calendar: <CalendarOutlined />, activity: <CalendarOutlined />, task: <FlagOutlined />, flag: <FlagOutlined />,
  gift: <GiftOutlined />, trophy: <TrophyOutlined />, tags: <TagsOutlined />, tag: <TagsOutlined />,
  message: <MessageOutlined />, notification: <NotificationOutlined />, campaign: <NotificationOutlined />,
  service: <CustomerServiceOutlined />, ticket: <CustomerServiceOutlined />, 'customer-service': <CustomerServiceOutlined />,
  solution: <SolutionOutlined />, profile: <ProfileOutlined />, audit: <AuditOutlined />, chart: <BarChartOutlined />,
};

export function objectIcon(icon: string | null | undefined, apiName?: string): ReactNode {
  return (icon && ICONS[icon]) || (apiName && ICONS[apiName]) || <AppstoreOutlined />;
}
