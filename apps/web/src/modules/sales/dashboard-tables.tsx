import { Table } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { normalizeOptions, useLabel, useObjectMeta } from '../../app/meta';
import { drillHref, shortMoney } from './sales-api';

/*
 * The dashboard's three tables sit below the charts; they are a chunk of their own (with antd's
 * Table) so the KPI figures at the top do not wait for them.
 */

const STAGES = ['lead', 'customer', 'opportunity', 'order'];

export function ChannelTable({ rows }: { rows: any[] }) {
  const { t } = useTranslation();
  const label = useLabel();
  const leadMeta = useObjectMeta('lead');
  const customerMeta = useObjectMeta('customer');
  // Channels are picklist values of lead.channel or customer.source; show their labels, not the codes.
  const channelLabel = (v: string | null) => {
    if (!v) return '—';
    const opts = [
      ...normalizeOptions(leadMeta.data?.fields.find((f) => f.apiName === 'channel')?.options ?? null),
      ...normalizeOptions(customerMeta.data?.fields.find((f) => f.apiName === 'source')?.options ?? null),
    ];
    const o = opts.find((x) => x.value === v);
    return o ? label(o.label, v) : v;
  };
  return (
    <Table
      size="small"
      pagination={false}
      rowKey={(r: any) => r.channel ?? '—'}
      scroll={{ x: 'max-content' }}
      dataSource={rows}
      columns={[
        {
          title: t('sales.dash.channelCol'),
          dataIndex: 'channel',
          render: (v) => channelLabel(v),
        },
        ...STAGES.map((k) => ({
          title: t(`sales.dash.stage.${k}`),
          dataIndex: k,
          render: (v: number | undefined) => v ?? 0,
        })),
      ]}
    />
  );
}

export function TeamsTable({ rows }: { rows: any[] }) {
  const { t } = useTranslation();
  return (
    <Table
      size="small"
      pagination={false}
      rowKey="unitId"
      scroll={{ x: 480 }}
      dataSource={rows}
      columns={[
        { title: t('sales.dash.team'), dataIndex: 'unitName' },
        ...STAGES.map((k) => ({
          title: t(`sales.dash.stage.${k}`),
          key: k,
          render: (_: unknown, r: any) => {
            const s = r.stages.find((x: any) => x.key === k);
            return s?.drill ? <Link to={drillHref(s.drill)}>{s.value}</Link> : '—';
          },
        })),
      ]}
    />
  );
}

export function TargetsTable({ rows }: { rows: any[] }) {
  const { t, i18n } = useTranslation();
  return (
    <Table
      size="small"
      pagination={false}
      rowKey={(r: any) => r.target.id}
      dataSource={rows}
      locale={{ emptyText: t('sales.targets.empty') }}
      columns={[
        { title: t('sales.targets.name'), render: (_: unknown, r: any) => r.target.name },
        {
          title: t('sales.targets.actual'),
          render: (_: unknown, r: any) => (
            <Link to={drillHref(r.target.basis === 'order' ? r.drill.orders : r.drill.won)}>
              {shortMoney(r.actualAmount, i18n.language)}
            </Link>
          ),
        },
        {
          title: t('sales.targets.rate'),
          render: (_: unknown, r: any) => `${r.amountRate ?? 0}%`,
        },
      ]}
    />
  );
}
