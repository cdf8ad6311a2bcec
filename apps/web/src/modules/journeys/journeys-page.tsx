import { Button, Card, Form, Input, Modal, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { useSession } from '../../app/session';
import { errorMessage } from '../../shared/error-message';
import { ErrorResult } from '../../shared/ui/error-result';
import { starterDefinition, useCreateJourney, useJourneys } from './journeys-api';

const STATUS_COLOR: Record<string, string> = {
  draft: 'default',
  live: 'green',
  paused: 'orange',
  archived: 'default',
};

/** Journey list: status, entry, entered, in progress and converted. */
export function JourneysPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const list = useJourneys();
  const create = useCreateJourney();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  return (
    <div className="kehu-page" data-testid="journeys-list">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('journeys.list.title')}
        </Typography.Title>
        {can('journeys:manage') && (
          <Button type="primary" onClick={() => setOpen(true)} data-testid="journey-new">
            {t('journeys.list.new')}
          </Button>
        )}
      </div>
      {list.error ? (
        <ErrorResult error={list.error} onRetry={() => list.refetch()} />
      ) : (
        <Card size="small" styles={{ body: { padding: 0, overflowX: 'auto' } }}>
          <Table
            rowKey="id"
            size="small"
            loading={list.isPending}
            dataSource={list.data?.items ?? []}
            pagination={false}
            locale={{ emptyText: t('journeys.list.empty') }}
            columns={[
              {
                title: t('journeys.list.name'),
                dataIndex: 'name',
                render: (v, j) => <Link to={`/journeys/${j.id}`}>{v}</Link>,
              },
              {
                title: t('journeys.list.status'),
                dataIndex: 'status',
                render: (s: string) => <Tag color={STATUS_COLOR[s]}>{t(`journeys.status.${s}`)}</Tag>,
              },
              {
                title: t('journeys.list.trigger'),
                dataIndex: 'triggerKind',
                render: (k: string) => t(`journeys.trigger.${k}`),
                responsive: ['md'],
              },
              { title: t('journeys.list.entered'), dataIndex: 'entered', align: 'right' },
              { title: t('journeys.list.active'), dataIndex: 'active', align: 'right', responsive: ['md'] },
              {
                title: t('journeys.list.converted'),
                dataIndex: 'converted',
                align: 'right',
                render: (c: number, j) => (j.entered ? `${c} (${Math.round((100 * c) / j.entered)}%)` : c),
              },
            ]}
          />
        </Card>
      )}
      <Modal
        open={open}
        title={t('journeys.list.new')}
        onCancel={() => setOpen(false)}
        okButtonProps={
          { disabled: !name.trim(), loading: create.isPending, 'data-testid': 'journey-create' } as never
        }
        onOk={() =>
          create.mutate(
            { name: name.trim(), definition: starterDefinition() },
            { onSuccess: (j) => navigate(`/journeys/${j.id}`) },
          )
        }
      >
        <Form layout="vertical">
          <Form.Item
            label={t('journeys.list.newName')}
            validateStatus={create.error ? 'error' : undefined}
            help={create.error ? errorMessage(create.error) : undefined}
          >
            <Input
              value={name}
              onChange={(e) => setName(e.target.value)}
              data-testid="journey-name"
              autoFocus
            />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  );
}
