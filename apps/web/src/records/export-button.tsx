import { DownloadOutlined } from '@ant-design/icons';
import { App, Button, Dropdown, Modal, Progress, Typography } from 'antd';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiFetch, saveResponse } from '../shared/api-client';
import { errorMessage } from '../shared/ui/error-result';
import { type ListParams, listQuery } from './record-api';

interface Props {
  object: string;
  params: ListParams;
  fields: string[];
  compact?: boolean;
}

/** Downloads the current filter + visible columns as CSV/XLSX, showing progress while it streams. */
export function ExportButton({ object, params, fields, compact }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [state, setState] = useState<{ loaded: number; total: number | null } | null>(null);
  const abort = useRef<AbortController | null>(null);

  const run = async (format: 'csv' | 'xlsx') => {
    const ctrl = new AbortController();
    abort.current = ctrl;
    setState({ loaded: 0, total: null });
    try {
      const { limit: _l, cursor: _c, count: _n, ...rest } = params;
      const res = await apiFetch(`/records/${encodeURIComponent(object)}/export`, {
        query: { ...listQuery(rest), format, fields: fields.join(',') },
        signal: ctrl.signal,
        headers: { Accept: '*/*' },
      });
      await saveResponse(res, `${object}.${format}`, (loaded, total) => setState({ loaded, total }));
      message.success(t('export.done'));
    } catch (e) {
      if ((e as Error).name !== 'AbortError') message.error(errorMessage(e));
    } finally {
      setState(null);
      abort.current = null;
    }
  };

  const pct = state?.total ? Math.min(100, Math.round((state.loaded / state.total) * 100)) : null;
  return (
    <>
      <Dropdown
        trigger={['click']}
        disabled={!!state}
        menu={{
          items: [
            { key: 'csv', label: <span data-testid="export-csv">{t('export.csv')}</span> },
            { key: 'xlsx', label: <span data-testid="export-xlsx">{t('export.xlsx')}</span> },
          ],
          onClick: ({ key }) => void run(key as 'csv' | 'xlsx'),
        }}
      >
        <Button
          icon={<DownloadOutlined />}
          loading={!!state}
          data-testid="export-button"
          aria-label={t('export.button')}
        >
          {compact ? null : t('export.button')}
        </Button>
      </Dropdown>
      <Modal
        open={!!state}
        title={t('export.inProgress')}
        closable={false}
        maskClosable={false}
        okButtonProps={{ style: { display: 'none' } }}
        cancelText={t('common.cancel')}
        onCancel={() => abort.current?.abort()}
        width={360}
      >
        <div data-testid="export-progress">
          <Progress percent={pct ?? 99} status="active" showInfo={pct !== null} />
          <Typography.Text type="secondary">
            {t('export.downloaded', { kb: Math.round((state?.loaded ?? 0) / 1024) })}
          </Typography.Text>
        </div>
      </Modal>
    </>
  );
}
