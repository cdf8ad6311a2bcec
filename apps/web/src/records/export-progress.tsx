import { Modal, Progress, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

interface Props {
  state: { loaded: number; total: number | null } | null;
  onCancel: () => void;
}

/** The dialog while an export streams: its own chunk, fetched on the first export (Progress is not in the list page). */
export function ExportProgress({ state, onCancel }: Props) {
  const { t } = useTranslation();
  const pct = state?.total ? Math.min(100, Math.round((state.loaded / state.total) * 100)) : null;
  return (
    <Modal
      open={!!state}
      title={t('export.inProgress')}
      closable={false}
      maskClosable={false}
      okButtonProps={{ style: { display: 'none' } }}
      cancelText={t('common.cancel')}
      onCancel={onCancel}
      width={360}
    >
      <div data-testid="export-progress">
        <Progress percent={pct ?? 99} status="active" showInfo={pct !== null} />
        <Typography.Text type="secondary">
          {t('export.downloaded', { kb: Math.round((state?.loaded ?? 0) / 1024) })}
        </Typography.Text>
      </div>
    </Modal>
  );
}
