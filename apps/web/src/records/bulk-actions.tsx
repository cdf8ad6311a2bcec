import { DeleteOutlined, UserSwitchOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Form, Modal, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../app/session';
import { errorMessage } from '../shared/ui/error-result';
import { type BulkResult, type RecordData, recordApi } from './record-api';
import { UserSelect } from './user-select';

interface Props {
  object: string;
  selected: RecordData[];
  onDone: () => void;
}

function summarize(results: BulkResult[]): { ok: number; failed: number; firstError?: string } {
  const failed = results.filter((r) => !r.ok);
  const e = failed[0]?.error;
  return {
    ok: results.length - failed.length,
    failed: failed.length,
    firstError: typeof e === 'string' ? e : (e?.message ?? failed[0]?.message ?? failed[0]?.code),
  };
}

export function BulkActions({ object, selected, onDone }: Props) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const { can } = useSession();
  const qc = useQueryClient();
  const [ownerOpen, setOwnerOpen] = useState(false);
  const [ownerId, setOwnerId] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const report = (results: BulkResult[], okKey: string) => {
    const s = summarize(results);
    if (s.failed === 0) message.success(t(okKey, { count: s.ok }));
    else message.warning(t('bulk.partial', { ok: s.ok, failed: s.failed, error: s.firstError ?? '' }), 6);
    qc.invalidateQueries({ queryKey: ['records', object] });
    onDone();
  };

  const bulkDelete = () =>
    modal.confirm({
      title: t('bulk.confirmDelete', { count: selected.length }),
      content: t('bulk.deleteHint'),
      okText: t('common.delete'),
      okButtonProps: { danger: true, 'data-testid': 'bulk-delete-confirm' },
      onOk: async () => {
        try {
          const res = await recordApi.bulk(object, {
            op: 'delete',
            atomic: false,
            records: selected.map((r) => ({ id: r.id })),
          });
          report(res.results, 'bulk.deleted');
        } catch (e) {
          message.error(errorMessage(e));
        }
      },
    });

  const changeOwner = async () => {
    if (!ownerId) return;
    setBusy(true);
    try {
      const res = await recordApi.bulk(object, {
        op: 'update',
        atomic: false,
        records: selected.map((r) => ({ id: r.id, version: r.version, ownerId })),
      });
      setOwnerOpen(false);
      report(res.results, 'bulk.ownerChanged');
    } catch (e) {
      message.error(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  if (selected.length === 0) return null;
  return (
    <>
      <Alert
        style={{ marginBottom: 12 }}
        type="info"
        data-testid="bulk-bar"
        message={
          <div style={{ display: 'flex', flexWrap: 'wrap', gap: 8, alignItems: 'center' }}>
            <span>{t('bulk.selected', { count: selected.length })}</span>
            <Space wrap size={8} style={{ marginLeft: 'auto' }}>
              {can(`${object}:update`) && (
                <Button
                  size="small"
                  icon={<UserSwitchOutlined />}
                  onClick={() => {
                    setOwnerId(null);
                    setOwnerOpen(true);
                  }}
                  data-testid="bulk-owner"
                >
                  {t('bulk.changeOwner')}
                </Button>
              )}
              {can(`${object}:delete`) && (
                <Button
                  size="small"
                  danger
                  icon={<DeleteOutlined />}
                  onClick={bulkDelete}
                  data-testid="bulk-delete"
                >
                  {t('bulk.delete')}
                </Button>
              )}
              <Button size="small" type="link" onClick={onDone}>
                {t('bulk.clear')}
              </Button>
            </Space>
          </div>
        }
      />
      <Modal
        open={ownerOpen}
        title={t('bulk.changeOwnerTitle', { count: selected.length })}
        onCancel={() => setOwnerOpen(false)}
        onOk={changeOwner}
        okButtonProps={{ disabled: !ownerId, 'data-testid': 'bulk-owner-confirm' }}
        confirmLoading={busy}
        destroyOnHidden
      >
        <Form layout="vertical">
          <Form.Item label={t('bulk.newOwner')} required>
            <UserSelect value={ownerId} onChange={(v) => setOwnerId(v as string | null)} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
