import { Alert, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

/** Shows a secret (password, API key) that the server will never return again, with copy. */
export function OneTimeSecret({ value, testId }: { value: string; testId: string }) {
  const { t } = useTranslation();
  return (
    <>
      <Alert type="warning" showIcon message={t('admin.secretOnce')} style={{ marginBottom: 12 }} />
      <Typography.Paragraph
        copyable={{ text: value, tooltips: [t('common.copy'), t('common.copied')] }}
        className="kehu-mono"
        style={{
          fontSize: 16,
          background: '#f5f5f5',
          padding: '10px 12px',
          borderRadius: 6,
          wordBreak: 'break-all',
        }}
        data-testid={testId}
      >
        {value}
      </Typography.Paragraph>
    </>
  );
}
