import type { SopView } from '@kehu/contracts/sales';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Checkbox,
  Drawer,
  Form,
  Modal,
  Select,
  Skeleton,
  Space,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { normalizeOptions, useLabel, useObjectMeta } from '../../app/meta';
import { ApiError } from '../../shared/api-client';
import { errorMessage } from '../../shared/ui/error-result';
import { useIsMobile } from '../../shared/use-is-mobile';
import { salesApi } from './sales-api';
import { salesKeys } from './sales-keys';

interface Blocked {
  id: string;
  stage: string;
  kind: string;
  /** `stage:item` keys the server named as missing. */
  missing: string[];
}

/**
 * Moving an opportunity: asks for a lost reason when needed; a move the stage SOP blocks opens
 * the checklist right there (the missing items first, ticked in place), and the move completes
 * from it — nobody leaves the board to find the opportunity page.
 */
export function useStageMove(onMoved?: () => void) {
  const { t } = useTranslation();
  const { modal, message } = App.useApp();
  const qc = useQueryClient();
  const [lostFor, setLostFor] = useState<{ id: string; stage: string } | null>(null);
  const [blocked, setBlocked] = useState<Blocked | null>(null);
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: salesKeys.all });
    void qc.invalidateQueries({ queryKey: ['records', 'opportunity'] });
  };
  const mutation = useMutation({
    mutationFn: (v: { id: string; stage: string; kind: string; lostReason?: string }) =>
      salesApi.moveStage(v.id, v.stage, v.lostReason),
    onSuccess: () => {
      message.success(t('sales.kanban.moved'));
      setBlocked(null);
      refresh();
      onMoved?.();
    },
    onError: (e, v) => {
      const items =
        e instanceof ApiError ? (e.problem.errors ?? []).filter((x) => x.field.startsWith('sop.')) : [];
      if (items.length > 0) {
        // sop.<stage>.<item>
        setBlocked({
          id: v.id,
          stage: v.stage,
          kind: v.kind,
          missing: items.map((i) => i.field.slice(4).replace('.', ':')),
        });
        return;
      }
      modal.error({
        title: t('sales.kanban.blocked'),
        content: <div data-testid="stage-blocked">{errorMessage(e)}</div>,
      });
    },
  });
  const move = (id: string, stage: string, kind: string) => {
    if (kind === 'lost') setLostFor({ id, stage });
    else mutation.mutate({ id, stage, kind });
  };
  const modalEl = (
    <>
      <LostReasonModal
        open={!!lostFor}
        onCancel={() => setLostFor(null)}
        onOk={(reason) => {
          if (lostFor) mutation.mutate({ ...lostFor, kind: 'lost', lostReason: reason });
          setLostFor(null);
        }}
      />
      <SopChecklistDrawer
        blocked={blocked}
        moving={mutation.isPending}
        onClose={() => {
          setBlocked(null);
          refresh();
        }}
        onMove={() => blocked && mutation.mutate(blocked)}
      />
    </>
  );
  // The move in flight, so a board can show the card where it was dropped until the server answers.
  const moving =
    mutation.isPending && mutation.variables
      ? { id: mutation.variables.id, stage: mutation.variables.stage }
      : null;
  return { move, pending: mutation.isPending, moving, modal: modalEl };
}

/** The SOP of the stages a blocked move needs, ticked in place; the move button waits for the required ones. */
function SopChecklistDrawer({
  blocked,
  moving,
  onClose,
  onMove,
}: {
  blocked: Blocked | null;
  moving: boolean;
  onClose: () => void;
  onMove: () => void;
}) {
  const { t } = useTranslation();
  const label = useLabel();
  const isMobile = useIsMobile();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const id = blocked?.id;
  const sop = useQuery({
    queryKey: salesKeys.sop(id),
    queryFn: () => salesApi.sop(id!),
    enabled: !!id,
  });
  const tick = useMutation({
    mutationFn: (v: { stage: string; item: string; done: boolean }) =>
      salesApi.setSop(id!, v.stage, v.item, v.done),
    onSuccess: (data) => qc.setQueryData<SopView>(salesKeys.sop(id), data),
    onError: (e) => message.error(errorMessage(e)),
  });
  const stagesNeeded = new Set(blocked?.missing.map((m) => m.split(':')[0]!) ?? []);
  const stages = (sop.data?.stages ?? []).filter((s) => stagesNeeded.has(s.key));
  const target = sop.data?.stages.find((s) => s.key === blocked?.stage);
  const remaining = stages.flatMap((s) => s.items.filter((i) => i.required && !i.done));
  return (
    <Drawer
      open={!!blocked}
      onClose={onClose}
      placement={isMobile ? 'bottom' : 'right'}
      height={isMobile ? '80vh' : undefined}
      width={isMobile ? undefined : 420}
      title={t('sales.kanban.checklistTitle', { stage: target ? label(target.label) : '' })}
      destroyOnHidden
      data-testid="sop-drawer"
      footer={
        <Space style={{ width: '100%', justifyContent: 'flex-end' }}>
          <Button onClick={onClose}>{t('sales.kanban.later')}</Button>
          <Button
            type="primary"
            disabled={remaining.length > 0 || sop.isPending}
            loading={moving}
            onClick={onMove}
            data-testid="sop-drawer-move"
          >
            {t('sales.kanban.completeMove', { stage: target ? label(target.label) : '' })}
          </Button>
        </Space>
      }
    >
      {sop.isPending ? (
        <Skeleton active />
      ) : (
        <>
          <Alert
            type={remaining.length ? 'warning' : 'success'}
            showIcon
            style={{ marginBottom: 16 }}
            message={
              remaining.length
                ? t('sales.kanban.checklistHint', { n: remaining.length })
                : t('sales.kanban.checklistReady')
            }
          />
          {stages.map((s) => (
            <div key={s.key} style={{ marginBottom: 16 }}>
              <Typography.Text strong>
                {label(s.label)}{' '}
                <Tag bordered={false}>
                  {s.items.filter((i) => i.done).length}/{s.items.length}
                </Tag>
              </Typography.Text>
              {s.items.map((i) => (
                <div key={i.key} style={{ marginTop: 8 }}>
                  <Checkbox
                    checked={i.done}
                    disabled={tick.isPending}
                    data-testid={`drawer-sop-${s.key}-${i.key}`}
                    onChange={(e) => tick.mutate({ stage: s.key, item: i.key, done: e.target.checked })}
                  >
                    {label(i.label)}
                    {i.required && <Typography.Text type="danger"> *</Typography.Text>}
                  </Checkbox>
                  {i.content && (
                    <Typography.Paragraph type="secondary" style={{ margin: '2px 0 0 24px', fontSize: 12 }}>
                      {label(i.content as never)}
                    </Typography.Paragraph>
                  )}
                </div>
              ))}
            </div>
          ))}
        </>
      )}
    </Drawer>
  );
}

function LostReasonModal({
  open,
  onOk,
  onCancel,
}: {
  open: boolean;
  onOk: (r: string) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const label = useLabel();
  const meta = useObjectMeta('opportunity');
  const [form] = Form.useForm();
  const options = normalizeOptions(
    meta.data?.fields.find((f) => f.apiName === 'lostReason')?.options ?? null,
  );
  return (
    <Modal
      open={open}
      title={t('sales.kanban.lostTitle')}
      onCancel={onCancel}
      onOk={() => form.validateFields().then((v) => onOk(v.lostReason))}
      destroyOnHidden
    >
      <Form form={form} layout="vertical">
        <Form.Item name="lostReason" label={t('sales.kanban.lostReason')} rules={[{ required: true }]}>
          <Select
            data-testid="lost-reason"
            options={options.map((o) => ({ value: o.value, label: label(o.label, o.value) }))}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
