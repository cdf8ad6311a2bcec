import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { http } from '../../shared/api-client';
import { errorMessage } from '../../shared/ui/error-result';

/** The venue's check-in page, phone first: scan a ticket (a scanner types it) or type a phone. */
export function CheckInPage() {
  const { t } = useTranslation();
  const { id } = useParams();
  const [value, setValue] = useState('');
  const [ok, setOk] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    setOk(null);
    setError(null);
    const v = value.trim();
    try {
      const r = await http.post<{ name: string | null; phone: string }>(
        `/campaigns/${id}/check-ins`,
        /^1[3-9]\d{9}$/.test(v) ? { phone: v } : { ticket: v },
      );
      setOk(t('campaigns.checkedInOk', { name: r.name ?? r.phone }));
      setValue('');
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="kehu-page" data-testid="check-in-page" style={{ maxWidth: 560 }}>
      <Typography.Title level={4}>{t('campaigns.checkInTitle')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('campaigns.checkInIntro')}</Typography.Paragraph>
      <Card>
        <Form layout="vertical" onFinish={submit}>
          <Form.Item label={`${t('campaigns.ticket')} / ${t('campaigns.phone')}`}>
            <Input
              size="large"
              autoFocus
              autoComplete="off"
              value={value}
              onChange={(e) => setValue(e.target.value)}
              data-testid="check-in-value"
            />
          </Form.Item>
          <Button type="primary" size="large" block htmlType="submit" loading={busy} disabled={!value.trim()}>
            {t('campaigns.doCheckIn')}
          </Button>
        </Form>
        {ok && (
          <Alert style={{ marginTop: 16 }} type="success" showIcon message={ok} data-testid="check-in-ok" />
        )}
        {error && (
          <Alert
            style={{ marginTop: 16 }}
            type="error"
            showIcon
            message={error}
            data-testid="check-in-error"
          />
        )}
      </Card>
    </div>
  );
}
