import { useQuery } from '@tanstack/react-query';
import { App as AntApp, Button, Result, Skeleton, Tabs } from 'antd';
import { Suspense, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import {
  type SidebarChat,
  type SidebarMessage,
  type SidebarSection,
  useWebModules,
} from '../../app/web-modules';
import { ApiError } from '../../shared/api-client';
import { ErrorResult } from '../../shared/ui/error-result';
import { ContactView } from './contact-view';
import { GroupView } from './group-view';
import { type Connection, connect, sendChatMessage } from './jssdk';
import { useSidebarContact } from './sidebar-api';
import './sidebar.css';

/**
 * The WeCom chat sidebar (聊天工具栏): a phone-width page WeCom opens beside a chat. It signs the
 * JS-SDK, asks WeCom which chat is open and shows that customer or group, with the tabs other
 * modules add (WebModule.sidebar). Outside WeCom, on an SDK failure or without access it says why.
 */
export function SidebarPage() {
  const { t } = useTranslation();
  const conn = useQuery({
    queryKey: ['sidebar', 'connection'],
    queryFn: connect,
    retry: false,
    staleTime: Infinity,
  });
  if (conn.error) return <ErrorResult error={conn.error} onRetry={() => conn.refetch()} />;
  const c = conn.data;
  return (
    <main className="kehu-sidebar" data-testid="sidebar">
      {!c && <Skeleton active paragraph={{ rows: 6 }} />}
      {c?.state === 'outside' && (
        <Result status="info" title={t('sidebar.outside.title')} subTitle={t('sidebar.outside.hint')} />
      )}
      {c?.state === 'not_linked' && (
        <Result
          status="warning"
          title={t('sidebar.notLinked.title')}
          subTitle={t('sidebar.notLinked.hint')}
        />
      )}
      {c?.state === 'sdk_failed' && (
        <Result
          status="error"
          title={t('sidebar.sdkFailed.title')}
          subTitle={
            <>
              {t('sidebar.sdkFailed.hint')}
              <code className="kehu-sidebar-errmsg" data-testid="sidebar-errmsg">
                {c.errMsg}
              </code>
            </>
          }
          extra={<Button onClick={() => conn.refetch()}>{t('sidebar.retry')}</Button>}
        />
      )}
      {(c?.state === 'single' || c?.state === 'group') && <Connected conn={c} />}
    </main>
  );
}

function Connected({ conn }: { conn: Extract<Connection, { state: 'single' | 'group' }> }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const modules = useWebModules();
  const sections = useMemo(
    () => modules.flatMap((m) => m.sidebar ?? []).sort((a, b) => a.order - b.order),
    [modules],
  );
  const send = async (m: SidebarMessage) => {
    try {
      await sendChatMessage(conn.wx, m);
      message.success(t('sidebar.sent'));
    } catch (e) {
      message.error(t('sidebar.sendFailed', { errMsg: (e as Error).message }));
      throw e;
    }
  };
  const contact = useSidebarContact(conn.state === 'single' ? conn.externalUserId : '');
  if (conn.state === 'single') {
    const err = contact.error;
    if (err instanceof ApiError && err.status === 404)
      return (
        <div data-testid="sidebar-no-access">
          <Result status="403" title={t('sidebar.noAccess.title')} subTitle={t('sidebar.noAccess.hint')} />
        </div>
      );
    if (err) return <ErrorResult error={err} onRetry={() => contact.refetch()} />;
  }
  const chat: SidebarChat =
    conn.state === 'single'
      ? {
          kind: 'single',
          externalUserId: conn.externalUserId,
          customerId: contact.data?.customer?.id ?? null,
          profileId: contact.data?.profile?.id ?? null,
        }
      : { kind: 'group', chatId: conn.chatId };
  const main =
    conn.state === 'single' ? (
      contact.data ? (
        <ContactView contact={contact.data} send={send} />
      ) : (
        <Skeleton active paragraph={{ rows: 8 }} />
      )
    ) : (
      <GroupView chatId={conn.chatId} send={send} />
    );
  if (!sections.length) return main;
  return (
    <Tabs
      size="small"
      items={[
        {
          key: 'customer',
          label: t(conn.state === 'single' ? 'sidebar.tabs.customer' : 'sidebar.tabs.group'),
          children: main,
        },
        ...sections.map((s: SidebarSection) => ({
          key: s.key,
          label: t(s.labelKey),
          children: (
            <Suspense fallback={<Skeleton active />}>
              <s.component chat={chat} send={send} />
            </Suspense>
          ),
        })),
      ]}
    />
  );
}
