import { CheckSquareOutlined, HolderOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import {
  DndContext,
  type DragEndEvent,
  DragOverlay,
  type DragStartEvent,
  PointerSensor,
  TouchSensor,
  useDraggable,
  useDroppable,
  useSensor,
  useSensors,
} from '@dnd-kit/core';
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

/**
 * R4.1/R4.2 pipeline kanban: drag a card (dnd-kit, loaded with this page only) to another
 * stage; a move the SOP blocks opens the checklist in place; cards show the stage's SOP progress.
 */
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
  const { move, moving, modal } = useStageMove();
  const canMove = can('opportunity:update');
  const [dragging, setDragging] = useState<string | null>(null);
  // A mouse drag starts after 6 px (a click still opens the card); on a phone a long press
  // starts it, so swiping still scrolls the board sideways. The "move to" menu stays for keys.
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 6 } }),
    useSensor(TouchSensor, { activationConstraint: { delay: 300, tolerance: 8 } }),
  );
  // While a move is in flight the card shows in the stage it was dropped on (the refetch after
  // success confirms it; a refused move leaves it where it was).
  const columns = (board.data?.columns ?? []).map((c) => {
    if (!moving) return c;
    const card = board.data?.columns.flatMap((x) => x.cards).find((x) => x.id === moving.id);
    if (!card) return c;
    if (c.stage === moving.stage && !c.cards.some((x) => x.id === moving.id))
      return { ...c, cards: [card, ...c.cards] };
    if (c.stage !== moving.stage && c.cards.some((x) => x.id === moving.id))
      return { ...c, cards: c.cards.filter((x) => x.id !== moving.id) };
    return c;
  });
  const columnOf = (cardId: string) => columns.find((c) => c.cards.some((x) => x.id === cardId));
  const onDragStart = (e: DragStartEvent) => setDragging(String(e.active.id));
  const onDragEnd = (e: DragEndEvent) => {
    setDragging(null);
    const card = String(e.active.id);
    const to = columns.find((c) => c.stage === e.over?.id);
    const from = columnOf(card);
    if (!to || !from || from.stage === to.stage) return;
    move(card, to.stage, to.kind);
  };
  const draggedCard = dragging ? columnOf(dragging)?.cards.find((x) => x.id === dragging) : undefined;
  // Screen readers hear the drag in the UI language (dnd-kit's defaults are English).
  const nameOf = (id: unknown) =>
    String(columns.flatMap((c) => c.cards).find((x) => x.id === id)?.name ?? '');
  const stageOf = (id: unknown) => {
    const c = columns.find((x) => x.stage === id);
    return c ? label(c.label, c.stage) : '';
  };
  const accessibility = {
    screenReaderInstructions: { draggable: t('sales.kanban.a11y.instructions') },
    announcements: {
      onDragStart: ({ active }: { active: { id: unknown } }) =>
        t('sales.kanban.a11y.picked', { name: nameOf(active.id) }),
      onDragOver: ({ active, over }: { active: { id: unknown }; over: { id: unknown } | null }) =>
        over ? t('sales.kanban.a11y.over', { name: nameOf(active.id), stage: stageOf(over.id) }) : undefined,
      onDragEnd: ({ active, over }: { active: { id: unknown }; over: { id: unknown } | null }) =>
        over
          ? t('sales.kanban.a11y.dropped', { name: nameOf(active.id), stage: stageOf(over.id) })
          : t('sales.kanban.a11y.cancelled', { name: nameOf(active.id) }),
      onDragCancel: ({ active }: { active: { id: unknown } }) =>
        t('sales.kanban.a11y.cancelled', { name: nameOf(active.id) }),
    },
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
      {canMove && (
        <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginTop: -4 }}>
          {isMobile ? t('sales.kanban.dragHintPhone') : t('sales.kanban.dragHint')}
        </Typography.Paragraph>
      )}
      {board.error ? (
        <PageError error={board.error} onRetry={() => board.refetch()} />
      ) : board.isPending ? (
        <Skeleton active />
      ) : (
        <DndContext
          sensors={sensors}
          accessibility={accessibility}
          onDragStart={onDragStart}
          onDragEnd={onDragEnd}
          onDragCancel={() => setDragging(null)}
        >
          <div
            className="sales-kanban"
            style={{ display: 'flex', gap: 12, overflowX: 'auto', paddingBottom: 8 }}
          >
            {columns.map((col) => (
              <KanbanLane key={col.stage} col={col} isMobile={isMobile} dragging={!!dragging}>
                <div style={{ display: 'flex', justifyContent: 'space-between', marginBottom: 8 }}>
                  <Space size={4}>
                    <Typography.Text strong>{label(col.label, col.stage)}</Typography.Text>
                    <Badge count={col.count} showZero color="#8c8c8c" />
                  </Space>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {col.probability}%
                  </Typography.Text>
                </div>
                {col.amount !== null && col.weighted !== null && (
                  <Typography.Text
                    type="secondary"
                    style={{ fontSize: 12, display: 'block', marginBottom: 8 }}
                  >
                    {shortMoney(col.amount, i18n.language)} · {t('sales.kanban.weighted')}{' '}
                    {shortMoney(col.weighted, i18n.language)}
                  </Typography.Text>
                )}
                {col.cards.length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={false} />}
                {col.cards.map((card) => (
                  <OppCard
                    key={card.id}
                    card={card}
                    progress={col.sop?.[card.id]}
                    columns={columns}
                    current={col.stage}
                    onOpen={() => navigate(`/o/opportunity/${card.id}`)}
                    onMove={(stage, kind) => move(card.id, stage, kind)}
                    canMove={canMove}
                    ghost={dragging === card.id}
                  />
                ))}
                {col.count > col.cards.length && (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('sales.kanban.more', { n: col.count - col.cards.length })}
                  </Typography.Text>
                )}
              </KanbanLane>
            ))}
          </div>
          <DragOverlay dropAnimation={null}>
            {draggedCard ? (
              <CardFace
                card={draggedCard}
                progress={columnOf(draggedCard.id)?.sop?.[draggedCard.id]}
                lifted
              />
            ) : null}
          </DragOverlay>
        </DndContext>
      )}
    </div>
  );
}

/** A stage column that takes dropped cards. */
function KanbanLane({
  col,
  isMobile,
  dragging,
  children,
}: {
  col: KanbanColumn;
  isMobile: boolean;
  dragging: boolean;
  children: React.ReactNode;
}) {
  const { setNodeRef, isOver } = useDroppable({ id: col.stage });
  return (
    <div
      ref={setNodeRef}
      data-testid={`kanban-col-${col.stage}`}
      data-over={isOver || undefined}
      style={{
        flex: isMobile ? '0 0 82vw' : '1 0 190px',
        // lets long deal names ellipsize instead of widening their column
        minWidth: 0,
        maxWidth: isMobile ? '82vw' : 320,
        background: isOver ? '#e6f4ff' : '#f5f5f5',
        outline: isOver ? '2px dashed #1677ff' : dragging ? '1px dashed #d9d9d9' : 'none',
        borderRadius: 8,
        padding: 8,
        borderTop: `3px solid ${KIND_COLOR[col.kind]}`,
        transition: 'background 120ms',
      }}
    >
      {children}
    </div>
  );
}

function OppCard({
  card,
  progress,
  columns,
  current,
  onOpen,
  onMove,
  canMove,
  ghost,
}: {
  card: RecordData;
  progress: { done: number; total: number } | undefined;
  columns: KanbanColumn[];
  current: string;
  onOpen: () => void;
  onMove: (stage: string, kind: string) => void;
  canMove: boolean;
  ghost: boolean;
}) {
  const { t } = useTranslation();
  const label = useLabel();
  const { setNodeRef, attributes, listeners } = useDraggable({ id: card.id, disabled: !canMove });
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: dnd-kit's attributes make it a focusable role=button; it opens on Enter and moves by keyboard through the "move to" menu
    <div
      ref={setNodeRef}
      {...listeners}
      {...attributes}
      onClick={onOpen}
      onKeyDown={(e) => {
        if (e.key === 'Enter' && e.target === e.currentTarget) onOpen();
      }}
      data-testid={`kanban-card-${card.id}`}
      style={{ marginBottom: 8, opacity: ghost ? 0.35 : 1, touchAction: 'manipulation' }}
    >
      <CardFace
        card={card}
        progress={progress}
        menu={
          // biome-ignore lint/a11y/noStaticElementInteractions: only stops the card's own click/drag from starting
          <span
            onClick={(e) => e.stopPropagation()}
            onPointerDown={(e) => e.stopPropagation()}
            onKeyDown={(e) => e.stopPropagation()}
            hidden={!canMove}
          >
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
        }
        draggable={canMove}
      />
    </div>
  );
}

/** What a card shows, on the board and while it is being dragged. */
function CardFace({
  card,
  progress,
  menu,
  draggable,
  lifted,
}: {
  card: RecordData;
  progress: { done: number; total: number } | undefined;
  menu?: React.ReactNode;
  draggable?: boolean;
  lifted?: boolean;
}) {
  const { t, i18n } = useTranslation();
  // A masked amount arrives as a string of stars: show it as such, never as ¥0.
  const amount =
    typeof card.amount === 'string' ? card.amount : ((card.amount as { amount: number } | null)?.amount ?? 0);
  return (
    <Card
      size="small"
      style={{
        cursor: draggable || lifted ? 'grab' : 'pointer',
        boxShadow: lifted ? '0 8px 24px rgba(0,0,0,0.18)' : undefined,
        transform: lifted ? 'rotate(2deg)' : undefined,
      }}
      styles={{ body: { padding: 10 } }}
    >
      <div style={{ display: 'flex', gap: 4, alignItems: 'flex-start' }}>
        {(draggable || lifted) && <HolderOutlined style={{ color: '#bfbfbf', marginTop: 4 }} aria-hidden />}
        <div style={{ minWidth: 0, flex: 1 }}>
          <Typography.Text strong ellipsis style={{ display: 'block' }}>
            {String(card.name)}
          </Typography.Text>
          <Typography.Text type="secondary" ellipsis style={{ display: 'block', fontSize: 12 }}>
            {card._display?.customerId ?? ''}
          </Typography.Text>
        </div>
      </div>
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', marginTop: 6 }}>
        <Space size={4}>
          <Tag bordered={false} color="blue" style={{ marginInlineEnd: 0 }}>
            {typeof amount === 'string' ? amount : shortMoney(amount, i18n.language)}
          </Tag>
          {progress && (
            <Tag
              bordered={false}
              color={progress.done === progress.total ? 'success' : 'default'}
              icon={<CheckSquareOutlined />}
              title={t('sales.kanban.sopProgress', { done: progress.done, total: progress.total })}
              data-testid="card-sop-progress"
            >
              {progress.done}/{progress.total}
            </Tag>
          )}
        </Space>
        {menu}
      </div>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {card._display?.ownerId ?? ''}
        {card.expectedCloseDate ? ` · ${String(card.expectedCloseDate)}` : ''}
      </Typography.Text>
    </Card>
  );
}
