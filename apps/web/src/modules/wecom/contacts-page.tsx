import type { RemarkList, RemarkRow } from '@kehu/contracts/wecom-transfers';
import { App, Card, Segmented, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useSession } from '../../app/session';
import { http } from '../../shared/api-client';
import { ErrorResult, errorMessage } from '../../shared/ui/error-result';
import { RemarkForm } from './remark-form';
import { type ExternalContact, useContacts } from './wecom-api';

const STATUS_COLOR: Record<string, string> = { active: 'green', lost: 'red', deleted: 'default' };

export function ContactsPage() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<string>('');
  const contacts = useContacts(status ? { status } : {});
  const { can } = useSession();
  const { message } = App.useApp();
  const [editing, setEditing] = useState<RemarkRow | null>(null);
  const editRemark = (c: ExternalContact) =>
    http
      .get<RemarkList>('/wecom/contact-remarks', { corpRef: c.corpRef, externalUserid: c.externalUserid })
      .then((r) => setEditing(r.items.find((x) => x.userid === c.userid) ?? null))
      .catch((e) => message.error(errorMessage(e)));
  return (
    <div className="kehu-page" data-testid="wecom-contacts">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('wecom.contacts.title')}
        </Typography.Title>
        <Segmented
          value={status}
          onChange={(v) => setStatus(String(v))}
          options={[
            { value: '', label: t('wecom.contacts.all') },
            { value: 'active', label: t('wecom.contacts.status_active') },
            { value: 'lost', label: t('wecom.contacts.status_lost') },
          ]}
        />
      </div>
      {contacts.error ? (
        <ErrorResult error={contacts.error} onRetry={() => contacts.refetch()} />
      ) : (
        <Card size="small" styles={{ body: { padding: 0, overflowX: 'auto' } }}>
          <Table
            rowKey={(c: ExternalContact) => `${c.corpRef}|${c.externalUserid}|${c.userid}`}
            size="small"
            loading={contacts.isPending}
            dataSource={contacts.data?.items ?? []}
            pagination={false}
            locale={{ emptyText: t('wecom.contacts.empty') }}
            scroll={{ x: 'max-content' }}
            columns={[
              { title: t('wecom.contacts.name'), dataIndex: 'name', render: (v: string | null) => v ?? '—' },
              {
                title: t('wecom.contacts.staff'),
                dataIndex: 'staffName',
                render: (v: string | null, c: ExternalContact) => v ?? c.userid,
              },
              {
                title: t('wecom.contacts.code'),
                dataIndex: 'codeName',
                responsive: ['md'],
                render: (v: string | null, c: ExternalContact) => v ?? c.state ?? '—',
              },
              {
                title: t('wecom.contacts.tags'),
                dataIndex: 'tags',
                responsive: ['lg'],
                render: (tags: string[]) => tags.map((x) => <Tag key={x}>{x}</Tag>),
              },
              {
                title: t('wecom.contacts.status'),
                dataIndex: 'status',
                render: (s: string) => <Tag color={STATUS_COLOR[s]}>{t(`wecom.contacts.status_${s}`)}</Tag>,
              },
              {
                title: t('wecom.contacts.links'),
                render: (_: unknown, c: ExternalContact) => (
                  <Space size={8}>
                    {c.contactId && (
                      <Link to={`/o/contact/${c.contactId}`}>{t('wecom.contacts.contact')}</Link>
                    )}
                    {c.leadId && <Link to={`/leads/inbox/${c.leadId}`}>{t('wecom.contacts.lead')}</Link>}
                    {c.profileId && (
                      <Link to={`/cdp/profiles/${c.profileId}`}>{t('wecom.contacts.profile')}</Link>
                    )}
                    {c.status === 'active' && can('wecom:manage') && (
                      <Typography.Link onClick={() => void editRemark(c)} data-testid="contact-remark">
                        {t('wecom.remarks.edit')}
                      </Typography.Link>
                    )}
                    {c.status === 'active' && (
                      <Link
                        to={`/wecom/transfers?${new URLSearchParams({ corp: c.corpRef, handover: c.userid, customer: c.externalUserid })}`}
                      >
                        {t('wecom.onjob.transferOne')}
                      </Link>
                    )}
                  </Space>
                ),
              },
              {
                title: t('wecom.contacts.addedAt'),
                dataIndex: 'addedAt',
                responsive: ['md'],
                render: (v: string) => new Date(v).toLocaleString(),
              },
            ]}
          />
        </Card>
      )}
      <RemarkForm row={editing} onClose={() => setEditing(null)} />
    </div>
  );
}
