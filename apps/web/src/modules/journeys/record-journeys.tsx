import { NodeIndexOutlined } from '@ant-design/icons';
import { Card, Empty, List, Space, Tag, Timeline, Typography } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useSession } from '../../app/session';
import { useRecordRuns } from './journeys-api';

const WITH_PROFILE = new Set(['customer', 'contact', 'opportunity', 'order', 'lead']);
const RUN_COLOR: Record<string, string> = {
  active: 'processing',
  waiting: 'processing',
  done: 'success',
  exited: 'default',
  failed: 'error',
};
const STEP_COLOR: Record<string, string> = { skipped: 'orange', failed: 'red', waiting: 'blue' };

/**
 * 客户旅程 on a record page: the journeys the customer's profile is in, each step taken, and what was
 * skipped and why in words (a withdrawn consent, an unsubscribe, a cap) — R6.1, R13.1.
 */
export function RecordJourneysPanel({ object, id }: { object: string; id: string }) {
  const { t, i18n } = useTranslation();
  const { can } = useSession();
  const shown = WITH_PROFILE.has(object) && can('journeys:read');
  const q = useRecordRuns(object, id, shown);
  if (!shown || q.error) return null;
  const runs = q.data?.items ?? [];
  // A step's reason in words; an unknown reason shows as it is rather than as a raw key.
  const reason = (r: string) =>
    i18n.exists(`journeys.record.reasons.${r}`) ? t(`journeys.record.reasons.${r}`) : r;
  const at = (s: string) => dayjs(s).format('MM-DD HH:mm');
  return (
    <Card
      size="small"
      loading={q.isPending}
      style={{ marginBottom: 16 }}
      data-testid="record-journeys"
      title={
        <Space size={6}>
          <NodeIndexOutlined />
          {t('journeys.record.title')}
        </Space>
      }
    >
      {runs.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('journeys.record.empty')} />
      ) : (
        <List
          size="small"
          dataSource={runs.slice(0, 5)}
          renderItem={(r) => (
            <List.Item data-testid="record-journey-run" style={{ display: 'block' }}>
              <Space wrap size={6} style={{ marginBottom: 8 }}>
                <Link to={`/journeys/${r.journeyId}`}>{r.journeyName}</Link>
                <Tag color={RUN_COLOR[r.status] ?? 'default'}>
                  {t(`journeys.record.run.${r.status}`, r.status)}
                </Tag>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t('journeys.record.entered', { at: at(r.enteredAt) })}
                </Typography.Text>
              </Space>
              <Timeline
                items={r.steps.map((s) => ({
                  color: STEP_COLOR[s.outcome] ?? 'green',
                  children: (
                    <div data-testid="record-journey-step" data-outcome={s.outcome}>
                      <Typography.Text>{t(`journeys.kind.${s.kind}`, s.kind)}</Typography.Text>{' '}
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {t(`journeys.record.outcome.${s.outcome}`, s.outcome)} · {at(s.at)}
                      </Typography.Text>
                      {s.reason ? (
                        <div>
                          <Typography.Text
                            type={s.outcome === 'skipped' || s.outcome === 'failed' ? 'warning' : 'secondary'}
                            style={{ fontSize: 12 }}
                          >
                            {reason(s.reason)}
                          </Typography.Text>
                        </div>
                      ) : null}
                    </div>
                  ),
                }))}
              />
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}
