import {
  ApartmentOutlined,
  AuditOutlined,
  DatabaseOutlined,
  HomeOutlined,
  KeyOutlined,
  LockOutlined,
  LogoutOutlined,
  MenuOutlined,
  SafetyCertificateOutlined,
  SettingOutlined,
  TeamOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Avatar, Button, Drawer, Dropdown, Layout, Menu, type MenuProps, Skeleton, Typography } from 'antd';
import { type ReactNode, Suspense, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { http, setCsrfToken } from '../shared/api-client';
import { lazyPage } from '../shared/lazy-page';
import { PageSkeleton } from '../shared/ui/page-skeleton';
import { useIsMobile } from '../shared/use-is-mobile';
import { ADMIN_NAV } from './admin-nav';
import { BrandMark } from './brand-mark';
import { LanguageSwitch } from './language-switch';
import { useLabel, useObjects } from './meta';
import { objectIcon } from './object-icon';
import { useSession } from './session';
import { UnitSwitcher } from './unit-switcher';
import { moduleNav, slotsOf, useWebModules } from './web-modules';

// A form in a modal most sessions never open: loaded when asked for.
const ChangePasswordModal = lazyPage(() => import('./change-password-modal'), 'ChangePasswordModal');

const ADMIN_ICONS: Record<string, ReactNode> = {
  units: <ApartmentOutlined />,
  users: <TeamOutlined />,
  roles: <SafetyCertificateOutlined />,
  objects: <DatabaseOutlined />,
  audit: <AuditOutlined />,
  'api-keys': <KeyOutlined />,
};

function NavMenu({ onNavigate }: { onNavigate?: () => void }) {
  const { t } = useTranslation();
  const label = useLabel();
  const navigate = useNavigate();
  const location = useLocation();
  const { can } = useSession();
  const objects = useObjects();
  const modules = useWebModules();
  const nav = useMemo(() => moduleNav(modules), [modules]);

  const adminItems = ADMIN_NAV.filter((a) => can(a.permission));
  const items: MenuProps['items'] = useMemo(() => {
    const list: NonNullable<MenuProps['items']> = [
      { key: '/', icon: <HomeOutlined />, label: <span data-testid="nav-item-home">{t('shell.home')}</span> },
    ];
    for (const m of nav.filter((n) => can(n.permission))) {
      list.push({
        key: m.path,
        icon: m.icon,
        label: <span data-testid={`nav-module-${m.key}`}>{t(m.labelKey)}</span>,
      });
    }
    for (const o of objects.data ?? []) {
      list.push({
        key: `/o/${o.apiName}`,
        icon: objectIcon(o.icon, o.apiName),
        label: (
          <span data-testid={`nav-item-${o.apiName}`}>{label(o.pluralLabel, label(o.label, o.apiName))}</span>
        ),
      });
    }
    if (adminItems.length) {
      list.push({
        key: 'admin',
        icon: <SettingOutlined />,
        label: <span data-testid="nav-admin">{t('shell.admin')}</span>,
        children: adminItems.map((a) => ({
          key: a.path,
          icon: ADMIN_ICONS[a.key],
          label: <span data-testid={`nav-admin-${a.key}`}>{t(a.labelKey)}</span>,
        })),
      });
    }
    return list;
  }, [objects.data, adminItems, nav, t, label, can]);

  const modulePath = nav.find((m) => location.pathname.startsWith(m.path))?.path;
  const selected = location.pathname.startsWith('/admin/')
    ? `/admin/${location.pathname.split('/')[2]}`
    : location.pathname.startsWith('/o/')
      ? `/o/${location.pathname.split('/')[2]}`
      : (modulePath ?? '/');

  if (objects.isPending)
    return <Skeleton active style={{ padding: 16 }} paragraph={{ rows: 6 }} title={false} />;

  return (
    <Menu
      theme="dark"
      mode="inline"
      selectedKeys={[selected]}
      defaultOpenKeys={location.pathname.startsWith('/admin') ? ['admin'] : []}
      items={items}
      onClick={({ key }) => {
        navigate(key);
        onNavigate?.();
      }}
      data-testid="side-nav"
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
            <Typography.Text type="secondary" ellipsis style={{ maxWidth: 240 }}>
              {me.tenant.name}
            </Typography.Text>
          )}
          <div className="kehu-topbar-spacer" />
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
