import { EnvironmentOutlined, PhoneOutlined, RightOutlined } from '@ant-design/icons';
import { Card, DatePicker, Empty, List, Space, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ErrorResult } from '../../shared/ui/error-result';
import { PageSkeleton } from '../../shared/ui/page-skeleton';
import { todayStr, useMyJobs } from './field-service-api';

export const STATUS_COLOR: Record<string, string> = {
  scheduled: 'blue',
  checked_in: 'orange',
  completed: 'green',
  cancelled: 'default',
};

/** The technician's day on a phone: jobs in time order, each opening the job page. */
export function JobsPage() {
  const { t } = useTranslation();
  const [day, setDay] = useState(todayStr());
  const jobs = useMyJobs(day);
  return (
    <div className="kehu-page" data-testid="fs-jobs" style={{ maxWidth: 640 }}>
      <div className="kehu-page-header">
        <Typography.Title level={4}>{t('fieldService.jobs.title')}</Typography.Title>
        <DatePicker
          value={dayjs(day)}
          allowClear={false}
          onChange={(d) => d && setDay(d.format('YYYY-MM-DD'))}
          aria-label={t('fieldService.dispatch.day')}
        />
      </div>
      {jobs.isLoading ? (
        <PageSkeleton />
      ) : jobs.error ? (
        <ErrorResult error={jobs.error} onRetry={() => jobs.refetch()} />
      ) : !jobs.data?.items.length ? (
        <Empty description={t('fieldService.jobs.empty')} style={{ padding: 32 }} />
      ) : (
        <List
          dataSource={jobs.data.items}
          renderItem={(w) => (
            <Link
              to={`/field-service/jobs/${w.id}`}
              data-testid="fs-job-link"
              style={{ display: 'block', marginBottom: 12 }}
            >
              <Card size="small" hoverable>
                <Space direction="vertical" size={2} style={{ width: '100%' }}>
                  <Space style={{ justifyContent: 'space-between', width: '100%' }}>
                    <Typography.Text strong>
                      {dayjs(w.startsAt).format('HH:mm')}–{dayjs(w.endsAt).format('HH:mm')} ·{' '}
                      {w.subject ?? w.number}
                    </Typography.Text>
                    <RightOutlined />
                  </Space>
                  <Typography.Text type="secondary">
                    <EnvironmentOutlined /> {w.address}
                  </Typography.Text>
                  <Space wrap>
                    <Tag color={STATUS_COLOR[w.status]}>{t(`fieldService.status.${w.status}`)}</Tag>
                    <Tag>{w.skill}</Tag>
                    {w.customerName && (
                      <Typography.Text>
                        <PhoneOutlined /> {w.customerName}
                      </Typography.Text>
                    )}
                  </Space>
                </Space>
              </Card>
            </Link>
          )}
        />
      )}
    </div>
  );
}
