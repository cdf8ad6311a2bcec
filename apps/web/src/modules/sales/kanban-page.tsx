import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Badge, Button, Card, Dropdown, Empty, Input, Select, Skeleton, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useLabel } from '../../app/meta';
import { useSession } from '../../app/session';
import type { RecordData } from '../../records/record-api';
import { PageError } from '../../shared/ui/error-result';
import { PermissionButton } from '../../shared/ui/permission-button';
import { useIsMobile } from '../../shared/use-is-mobile';
import { type KanbanColumn, salesApi, shortMoney } from './sales-api';
import { salesKeys } from './sales-keys';
import { useStageMove } from './stage-move';

const KIND_COLOR: Record<string, string> = { open: '#1677ff', won: '#52c41a', lost: '#ff4d4f' };

/** R4.1/R4.2 pipeline kanban: drag a card to another stage; blocked moves explain why. */
export function KanbanPage() {
  const { t, i18n } = useTranslation();
  const label = useLabel();
  const isMobile = useIsMobile();
  const navigate = useNavigate();
  const { unitId, can } = useSession();
  const [pipeline, setPipeline] = useState<string | undefined>();
  const [search, setSearch] = useState('');
  const pipelines = useQuery({ queryKey: salesKeys.pipelines(), queryFn: salesApi.pipelines });
  const board = useQuery({
    queryKey: salesKeys.kanban(pipeline, unitId, search),
    queryFn: () => salesApi.kanban({ pipeline, unit: unitId, q: search || undefined }),
  });
  const { move, modal } = useStageMove();
  const [dragging, setDragging] = useState<string | null>(null);
  const [over, setOver] = useState<string | null>(null);

  const onDrop = (col: KanbanColumn) => {
    const card = dragging;
    setDragging(null);
    setOver(null);
    if (!card) return;
    const from = board.data?.columns.find((c) => c.cards.some((x) => x.id === card));
    if (!from || from.stage === col.stage) return;
    move(card, col.stage, col.kind);
  };

  return (
    <div className="kehu-page" data-testid="sales-kanban">
      {modal}
      <Space style={{ marginBottom: 12, flexWrap: 'wrap' }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('sales.kanban.title')}
        </Typography.Title>
        {(pipelines.data?.length ?? 0) > 1 && (
          <Select
            style={{ minWidth: 160 }}
            value={pipeline ?? pipelines.data?.find((p) => p.isDefault)?.id}
            onChange={setPipeline}
            options={pipelines.data?.map((p) => ({ value: p.id, label: label(p.name) }))}
          />
        )}
        <Input.Search
          allowClear
          placeholder={t('sales.kanban.search')}
          onSearch={setSearch}
          style={{ width: 200 }}
        />
        <Button icon={<ReloadOutlined />} onClick={() => board.refetch()} aria-label="reload" />
        <PermissionButton
          allowed={can('opportunity:create')}
          need={t('sales.kanban.new')}
          type="primary"
          icon={<PlusOutlined />}
          onClick={() => navigate('/o/opportunity/new')}
          data-testid="opportunity-new"
        >
          {t('sales.kanban.new')}
        </PermissionButton>
      </Space>
      {board.error ? (
        <PageError error={board.error} onRetry={() => board.refetch()} />
      ) : board.isPending ? (
        <Skeleton active />
      ) : (
        <div
          className="sales-kanban"
          style={{ display: 'flex', gap: 12, overflowX: 'auto', paddingBottom: 8 }}
        >
          {board.data.columns.map((col) => (
            // biome-ignore lint/a11y/noStaticElementInteractions: a drop zone; keyboard and touch users move cards with the card's "move to" menu
            <div
              key={col.stage}
              data-testid={`kanban-col-${col.stage}`}
              onDragOver={(e) => {
                e.preventDefault();
                setOver(col.stage);
              }}
              onDragLeave={() => setOver((o) => (o === col.stage ? null : o))}
              onDrop={() => onDrop(col)}
              style={{
                flex: isMobile ? '0 0 82vw' : '1 0 190px',
                // lets long deal names ellipsize instead of widening their column
                minWidth: 0,
                maxWidth: isMobile ? '82vw' : 320,
                background: over === col.stage ? '#e6f4ff' : '#f5f5f5',
                borderRadius: 8,
                padding: 8,
                borderTop: `3px solid ${KIND_COLOR[col.kind]}`,
              }}
            >
              <div style={{ display: 'flex', justifyContent: 'space-between', marginBottom: 8 }}>
                <Space size={4}>
                  <Typography.Text strong>{label(col.label, col.stage)}</Typography.Text>
                  <Badge count={col.count} showZero color="#8c8c8c" />
                </Space>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {col.probability}%
                </Typography.Text>
              </div>
              <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block', marginBottom: 8 }}>
                {shortMoney(col.amount, i18n.language)} · {t('sales.kanban.weighted')}{' '}
                {shortMoney(col.weighted, i18n.language)}
              </Typography.Text>
              {col.cards.length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={false} />}
              {col.cards.map((card) => (
                <OppCard
                  key={card.id}
                  card={card}
                  columns={board.data.columns}
                  current={col.stage}
                  onOpen={() => navigate(`/o/opportunity/${card.id}`)}
                  onDragStart={() => setDragging(card.id)}
                  onMove={(stage, kind) => move(card.id, stage, kind)}
                  canMove={can('opportunity:update')}
                />
              ))}
              {col.count > col.cards.length && (
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t('sales.kanban.more', { n: col.count - col.cards.length })}
                </Typography.Text>
              )}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}

function OppCard({
  card,
  columns,
  current,
  onOpen,
  onDragStart,
  onMove,
  canMove,
}: {
  card: RecordData;
  columns: KanbanColumn[];
  current: string;
  onOpen: () => void;
  onDragStart: () => void;
  onMove: (stage: string, kind: string) => void;
  canMove: boolean;
}) {
  const { t, i18n } = useTranslation();
  const label = useLabel();
  const amount = (card.amount as { amount: number } | null)?.amount ?? 0;
  return (
    <Card
      size="small"
      draggable={canMove}
      onDragStart={onDragStart}
      onClick={onOpen}
      tabIndex={0}
      onKeyDown={(e) => {
        if (e.key === 'Enter' && e.target === e.currentTarget) onOpen();
      }}
      data-testid={`kanban-card-${card.id}`}
      style={{ marginBottom: 8, cursor: 'grab' }}
      styles={{ body: { padding: 10 } }}
    >
      <Typography.Text strong ellipsis style={{ display: 'block' }}>
        {String(card.name)}
      </Typography.Text>
      <Typography.Text type="secondary" ellipsis style={{ display: 'block', fontSize: 12 }}>
        {card._display?.customerId ?? ''}
      </Typography.Text>
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', marginTop: 6 }}>
        <Tag bordered={false} color="blue">
          {shortMoney(amount, i18n.language)}
        </Tag>
        {/* biome-ignore lint/a11y/noStaticElementInteractions: only stops the card's own click from opening the record */}
        {/* biome-ignore lint/a11y/useKeyWithClickEvents: as above; the dropdown button inside handles keys */}
        <span onClick={(e) => e.stopPropagation()} hidden={!canMove}>
          <Dropdown
            trigger={['click']}
            menu={{
              items: columns
                .filter((c) => c.stage !== current)
                .map((c) => ({ key: c.stage, label: label(c.label, c.stage) })),
              onClick: ({ key }) => onMove(key, columns.find((c) => c.stage === key)!.kind),
            }}
          >
            <Button size="small" type="link" data-testid="card-move">
              {t('sales.kanban.moveTo')}
            </Button>
          </Dropdown>
        </span>
      </div>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {card._display?.ownerId ?? ''}
        {card.expectedCloseDate ? ` · ${String(card.expectedCloseDate)}` : ''}
      </Typography.Text>
    </Card>
  );
}
