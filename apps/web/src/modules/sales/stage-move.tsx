import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Form, Modal, Select } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { normalizeOptions, useLabel, useObjectMeta } from '../../app/meta';
import { ApiError } from '../../shared/api-client';
import { errorMessage } from '../../shared/ui/error-result';
import { salesApi } from './sales-api';
import { salesKeys } from './sales-keys';

/**
 * Moving an opportunity: asks for a lost reason when needed and shows the server's SOP
 * message (with each missing item) when the move is blocked.
 */
export function useStageMove(onMoved?: () => void) {
  const { t } = useTranslation();
  const { modal, message } = App.useApp();
  const qc = useQueryClient();
  const [lostFor, setLostFor] = useState<{ id: string; stage: string } | null>(null);
  const mutation = useMutation({
    mutationFn: (v: { id: string; stage: string; lostReason?: string }) =>
      salesApi.moveStage(v.id, v.stage, v.lostReason),
    onSuccess: () => {
      message.success(t('sales.kanban.moved'));
      qc.invalidateQueries({ queryKey: salesKeys.all });
      qc.invalidateQueries({ queryKey: ['records', 'opportunity'] });
      onMoved?.();
    },
    onError: (e) => {
      const items =
        e instanceof ApiError ? (e.problem.errors ?? []).filter((x) => x.field.startsWith('sop.')) : [];
      modal.error({
        title: t('sales.kanban.blocked'),
        content: (
          <div data-testid="stage-blocked">
            <p>{errorMessage(e)}</p>
            {items.length > 0 && (
              <ul>
                {items.map((i) => (
                  <li key={i.field}>{i.message}</li>
                ))}
              </ul>
            )}
          </div>
        ),
      });
    },
  });
  const move = (id: string, stage: string, kind: string) => {
    if (kind === 'lost') setLostFor({ id, stage });
    else mutation.mutate({ id, stage });
  };
  const modalEl = (
    <LostReasonModal
      open={!!lostFor}
      onCancel={() => setLostFor(null)}
      onOk={(reason) => {
        if (lostFor) mutation.mutate({ ...lostFor, lostReason: reason });
        setLostFor(null);
      }}
    />
  );
  return { move, pending: mutation.isPending, modal: modalEl };
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
