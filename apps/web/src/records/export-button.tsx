import { DownloadOutlined } from '@ant-design/icons';
import { App, Button, Dropdown } from 'antd';
import { Suspense, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiFetch, saveResponse } from '../shared/api-client';
import { lazyPage } from '../shared/lazy-page';
import { errorMessage } from '../shared/ui/error-result';
import { useAsked } from '../shared/use-asked';
import { type ListParams, listQuery } from './record-api';

const ExportProgress = lazyPage(() => import('./export-progress'), 'ExportProgress');

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

  // Mounted from the first export on, so closing the dialog still animates.
  const asked = useAsked(!!state);
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
      {asked && (
        <Suspense fallback={null}>
          <ExportProgress state={state} onCancel={() => abort.current?.abort()} />
        </Suspense>
      )}
    </>
  );
}
