import {
  ApartmentOutlined,
  AuditOutlined,
  BarChartOutlined,
  CustomerServiceOutlined,
  DatabaseOutlined,
  HomeOutlined,
  KeyOutlined,
  LockOutlined,
  LogoutOutlined,
  MenuOutlined,
  NotificationOutlined,
  RiseOutlined,
  SafetyCertificateOutlined,
  SearchOutlined,
  SettingOutlined,
  ShopOutlined,
  TeamOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Avatar, Button, Drawer, Dropdown, Layout, Menu, type MenuProps, Skeleton } from 'antd';
import { type ReactNode, Suspense, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { http, setCsrfToken } from '../shared/api-client';
import { lazyPage } from '../shared/lazy-page';
import { PageSkeleton } from '../shared/ui/page-skeleton';
import { Text } from '../shared/ui/text';
import { useIsMobile } from '../shared/use-is-mobile';
import { ADMIN_NAV } from './admin-nav';
import { BrandMark } from './brand-mark';
import { LanguageSwitch } from './language-switch';
import { useLabel, useObjects } from './meta';
import {
  groupNav,
  type NavEntry,
  type NavGroup,
  type NavSection,
  placeObject,
  selectedEntry,
} from './nav-groups';
import { objectIcon } from './object-icon';
import { useSession } from './session';
import { UnitSwitcher } from './unit-switcher';
import { moduleNav, slotsOf, useWebModules } from './web-modules';

// A form in a modal most sessions never open: loaded when asked for.
const ChangePasswordModal = lazyPage(() => import('./change-password-modal'), 'ChangePasswordModal');
// The search palette loads on the first Ctrl/⌘-K or tap on the search button.
const CommandPalette = lazyPage(() => import('./search/command-palette'), 'CommandPalette');
const IS_MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

/** Ctrl/⌘-K anywhere opens the search palette; the top bar has a button (an icon on phones). */
function GlobalSearch({ compact }: { compact: boolean }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  // Mounted from the first ask on, so closing it still animates.
  const [asked, setAsked] = useState(false);
  const show = () => {
    setAsked(true);
    setOpen(true);
  };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        setAsked(true);
        setOpen(true);
      }
    };
    // Capture phase: widgets that stop key events (menus, editors) must not swallow the shortcut.
    document.addEventListener('keydown', onKey, true);
    return () => document.removeEventListener('keydown', onKey, true);
  }, []);
  return (
    <>
      {compact ? (
        <Button
          type="text"
          icon={<SearchOutlined />}
          onClick={show}
          aria-label={t('search.open')}
          data-testid="search-open"
        />
      ) : (
        <Button
          icon={<SearchOutlined />}
          onClick={show}
          className="kehu-search-trigger"
          data-testid="search-open"
        >
          <span>{t('search.open')}</span>
          <kbd className="kehu-kbd">{IS_MAC ? '⌘ K' : t('search.shortcut')}</kbd>
        </Button>
      )}
      {asked && (
        <Suspense fallback={null}>
          <CommandPalette open={open} onClose={() => setOpen(false)} />
        </Suspense>
      )}
    </>
  );
}

const ADMIN_ICONS: Record<string, ReactNode> = {
  units: <ApartmentOutlined />,
  users: <TeamOutlined />,
  roles: <SafetyCertificateOutlined />,
  objects: <DatabaseOutlined />,
  audit: <AuditOutlined />,
  'api-keys': <KeyOutlined />,
};

const GROUP_ICONS: Record<NavGroup, ReactNode> = {
  workspace: <HomeOutlined />,
  sales: <RiseOutlined />,
  customers: <TeamOutlined />,
  marketing: <NotificationOutlined />,
  service: <CustomerServiceOutlined />,
  channels: <ShopOutlined />,
  data: <BarChartOutlined />,
  settings: <SettingOutlined />,
};

const groupTitle = (group: NavGroup, text: string) => <span data-testid={`nav-group-${group}`}>{text}</span>;

interface ShellNavEntry extends NavEntry {
  icon: ReactNode;
  label: string;
  testId: string;
}

/** Every entry the caller may use, grouped (nav-groups.ts): home, module pages, object lists, administration. */
function useNavSections(): { sections: NavSection<ShellNavEntry>[]; pending: boolean } {
  const { t } = useTranslation();
  const label = useLabel();
  const { can } = useSession();
  const objects = useObjects();
  const modules = useWebModules();
  const sections = useMemo(() => {
    const entries: ShellNavEntry[] = [
      {
        key: 'home',
        path: '/',
        group: 'workspace',
        order: 0,
        icon: <HomeOutlined />,
        label: t('shell.home'),
        testId: 'nav-item-home',
      },
    ];
    for (const m of moduleNav(modules))
      entries.push({ ...m, label: t(m.labelKey), testId: `nav-module-${m.key}` });
    for (const o of objects.data ?? []) {
      const place = placeObject(o.apiName, (o as { navGroup?: string | null }).navGroup);
      entries.push({
        key: `object-${o.apiName}`,
        path: `/o/${o.apiName}`,
        group: place.group,
        order: place.order,
        setup: place.setup,
        alsoMatches: place.alsoMatches,
        icon: objectIcon(o.icon, o.apiName),
        label: place.labelKey ? t(place.labelKey) : label(o.pluralLabel, label(o.label, o.apiName)),
        testId: `nav-item-${o.apiName}`,
      });
    }
    for (const a of ADMIN_NAV)
      entries.push({
        key: `admin-${a.key}`,
        path: a.path,
        group: 'settings',
        order: a.order,
        permission: a.permission,
        icon: ADMIN_ICONS[a.key],
        label: t(a.labelKey),
        testId: `nav-admin-${a.key}`,
      });
    return groupNav(entries, can);
  }, [objects.data, modules, t, label, can]);
  return { sections, pending: objects.isPending };
}

/**
 * The side navigation: 工作台 always open on top, the other groups folding (the one holding the
 * current page opens by itself). A record page highlights its list (`/o/customer/1` → 客户).
 * Keyboard: Tab into the menu, arrows move, Enter opens a group or a page.
 */
function NavMenu({ onNavigate }: { onNavigate?: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const { sections, pending } = useNavSections();
  const current = selectedEntry(sections, location.pathname);
  const currentGroup = current ? (current.setup ? 'settings' : current.group) : undefined;
  const [openKeys, setOpenKeys] = useState<string[]>(() => (currentGroup ? [`group-${currentGroup}`] : []));
  useEffect(() => {
    if (currentGroup && currentGroup !== 'workspace')
      setOpenKeys((keys) =>
        keys.includes(`group-${currentGroup}`) ? keys : [...keys, `group-${currentGroup}`],
      );
  }, [currentGroup]);

  const items: MenuProps['items'] = useMemo(
    () =>
      sections.map(({ group, entries }) => {
        const children = entries.map((e) => ({
          key: e.path,
          icon: e.icon,
          label: <span data-testid={e.testId}>{e.label}</span>,
        }));
        const title = groupTitle(group, t(`nav.groups.${group}`));
        return group === 'workspace'
          ? { key: `group-${group}`, type: 'group' as const, label: title, children }
          : { key: `group-${group}`, icon: GROUP_ICONS[group], label: title, children };
      }),
    [sections, t],
  );

  if (pending) return <Skeleton active style={{ padding: 16 }} paragraph={{ rows: 6 }} title={false} />;

  return (
    <Menu
      theme="dark"
      mode="inline"
      selectedKeys={current ? [current.path] : []}
      openKeys={openKeys}
      onOpenChange={setOpenKeys}
      items={items}
      onClick={({ key }) => {
        navigate(key);
        onNavigate?.();
      }}
      data-testid="side-nav"
      data-groups={sections.map((s) => s.group).join(' ')}
    />
  );
}

function UserMenu({ compact }: { compact: boolean }) {
  const { t } = useTranslation();
  const { me } = useSession();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [pwOpen, setPwOpen] = useState(false);
  // Mounted from the first ask on, so closing it still animates.
  const [pwAsked, setPwAsked] = useState(false);

  const logout = async () => {
    try {
      await http.post('/auth/logout', undefined, { skipAuthRedirect: true });
    } catch {
      /* even if the session is already gone, leave */
    }
    setCsrfToken(null);
    qc.clear();
    navigate('/login', { replace: true });
  };

  return (
    <>
      <Dropdown
        trigger={['click']}
        menu={{
          items: [
            {
              key: 'who',
              disabled: true,
              label: (
                <div style={{ lineHeight: 1.4 }}>
                  <div style={{ color: 'rgba(0,0,0,.88)', fontWeight: 500 }}>{me.user.name}</div>
                  <div style={{ fontSize: 12 }}>
                    {me.user.login} · {me.tenant.name}
                  </div>
                </div>
              ),
            },
            { type: 'divider' },
            {
              key: 'password',
              icon: <LockOutlined />,
              label: <span data-testid="menu-change-password">{t('shell.changePassword')}</span>,
            },
            {
              key: 'logout',
              icon: <LogoutOutlined />,
              danger: true,
              label: <span data-testid="menu-logout">{t('shell.logout')}</span>,
            },
          ],
          onClick: ({ key }) => {
            if (key === 'password') {
              setPwAsked(true);
              setPwOpen(true);
            }
            if (key === 'logout') void logout();
          },
        }}
      >
        <Button type="text" data-testid="user-menu" style={{ paddingInline: 6 }}>
          <Avatar size="small" icon={<UserOutlined />} style={{ background: '#1677ff' }} />
          {!compact && <span style={{ marginLeft: 6 }}>{me.user.name}</span>}
        </Button>
      </Dropdown>
      {pwAsked && (
        <Suspense fallback={null}>
          <ChangePasswordModal open={pwOpen} onClose={() => setPwOpen(false)} />
        </Suspense>
      )}
    </>
  );
}

/** The modules' top-bar items; each loads on its own and shows nothing until it has. */
function HeaderItems() {
  const items = slotsOf(useWebModules(), 'headerItems').flat();
  return (
    <>
      {items.map(({ key, component: Item }) => (
        <Suspense key={key} fallback={null}>
          <Item />
        </Suspense>
      ))}
    </>
  );
}

export function AppShell() {
  const { t } = useTranslation();
  const isMobile = useIsMobile();
  const { me } = useSession();
  const [drawerOpen, setDrawerOpen] = useState(false);
  const [collapsed, setCollapsed] = useState(false);
  const location = useLocation();

  // biome-ignore lint/correctness/useExhaustiveDependencies: close the drawer on every navigation
  useEffect(() => setDrawerOpen(false), [location.pathname]);

  const logo = (
    <div className="kehu-nav-logo">
      <BrandMark size={28} />
      {!collapsed || isMobile ? <span>{t('app.name')}</span> : null}
    </div>
  );

  return (
    <Layout style={{ minHeight: '100vh' }}>
      {isMobile ? (
        <Drawer
          open={drawerOpen}
          onClose={() => setDrawerOpen(false)}
          placement="left"
          width={260}
          closable={false}
          styles={{ body: { padding: 0, background: '#001529' }, header: { display: 'none' } }}
          data-testid="nav-drawer"
        >
          {logo}
          <NavMenu onNavigate={() => setDrawerOpen(false)} />
        </Drawer>
      ) : (
        <Layout.Sider
          collapsible
          collapsed={collapsed}
          onCollapse={setCollapsed}
          width={220}
          style={{ position: 'sticky', top: 0, height: '100vh', overflow: 'auto' }}
        >
          {/* Room for the collapse trigger pinned to the bottom: the last items stay reachable. */}
          <div style={{ paddingBottom: 56 }}>
            {logo}
            <NavMenu />
          </div>
        </Layout.Sider>
      )}
      <Layout>
        <header className="kehu-topbar">
          {isMobile && (
            <Button
              type="text"
              icon={<MenuOutlined />}
              onClick={() => setDrawerOpen(true)}
              aria-label={t('shell.openMenu')}
              data-testid="nav-toggle"
            />
          )}
          {!isMobile && (
            <Text type="secondary" ellipsis style={{ maxWidth: 240 }}>
              {me.tenant.name}
            </Text>
          )}
          {!isMobile && <GlobalSearch compact={false} />}
          <div className="kehu-topbar-spacer" />
          {isMobile && <GlobalSearch compact />}
          <UnitSwitcher compact={isMobile} />
          <HeaderItems />
          <LanguageSwitch persist compact={isMobile} />
          <UserMenu compact={isMobile} />
        </header>
        <Layout.Content>
          {/* A page's code loads on its first visit; the shell stays up meanwhile. */}
          <Suspense fallback={<PageSkeleton />}>
            <Outlet />
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
