import { Card, Tag, Timeline, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useLabel } from '../../app/meta';
import type { ApprovalRequest } from './sales-api';

export const STATUS_COLOR: Record<string, string> = {
  pending: 'orange',
  approved: 'green',
  rejected: 'red',
  returned: 'gold',
  withdrawn: 'default',
};
const ACTION_COLOR: Record<string, string> = {
  submit: 'blue',
  approve: 'green',
  reject: 'red',
  return: 'orange',
  withdraw: 'gray',
};

/** Every request of a record, each with its steps and every action with comments. */
export function ApprovalHistory({ items }: { items: ApprovalRequest[] }) {
  const { t } = useTranslation();
  if (items.length === 0) return null;
  return (
    <Card size="small" title={t('sales.approval.history')} data-testid="approval-history">
      {items.map((r) => (
        <div key={r.id} style={{ marginBottom: 12 }}>
          <Tag color={STATUS_COLOR[r.status]}>{t(`sales.approval.status.${r.status}`)}</Tag>
          <Typography.Text type="secondary">{r.createdAt.slice(0, 16).replace('T', ' ')}</Typography.Text>
          <ApprovalSteps r={r} />
        </div>
      ))}
    </Card>
  );
}

export function ApprovalSteps({ r }: { r: ApprovalRequest }) {
  const { t } = useTranslation();
  const label = useLabel();
  return (
    <Timeline
      style={{ marginTop: 12 }}
      items={[
        ...r.history.map((h) => ({
          color: ACTION_COLOR[h.action] ?? 'gray',
          children: (
            <div>
              <Typography.Text strong>{h.actor.name}</Typography.Text>{' '}
              {t(`sales.approval.action.${h.action}`)}
              {h.action !== 'submit' && r.steps[h.step] ? ` · ${label(r.steps[h.step]!.name)}` : ''}
              <Typography.Text type="secondary" style={{ marginLeft: 8, fontSize: 12 }}>
                {h.at.slice(0, 16).replace('T', ' ')}
              </Typography.Text>
              {h.comment && <div style={{ color: '#595959' }}>“{h.comment}”</div>}
            </div>
          ),
        })),
        ...(r.status === 'pending'
          ? r.steps.slice(r.currentStep).map((s, i) => ({
              color: i === 0 ? 'orange' : 'gray',
              children: (
                <span>
                  {label(s.name)} · {s.approvers.map((a) => a.name).join('、') || '—'}{' '}
                  {i === 0 && <Tag color="orange">{t('sales.approval.waiting')}</Tag>}
                </span>
              ),
            }))
          : []),
      ]}
    />
  );
}
