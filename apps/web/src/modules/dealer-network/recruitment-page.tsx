import { CopyOutlined, LinkOutlined, WarningOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Empty,
  List,
  Popconfirm,
  Row,
  Segmented,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { useSession } from '../../app/session';
import { useIsMobile } from '../../shared/use-is-mobile';
import {
  type ApplicationRow,
  age,
  problemLines,
  rotateForm,
  STAGE_COLOR,
  useApplications,
  useNetworkMutation,
  useRecruitmentForm,
} from './dealer-network-api';

const STAGES = [
  'new',
  'reviewing',
  'pending_approval',
  'qualified',
  'contract',
  'onboarded',
  'rejected',
] as const;
/** The board shows the open stages side by side; closed ones are in the list. */
const BOARD = ['new', 'reviewing', 'pending_approval', 'qualified', 'contract'] as const;

/** 经销商招商: the public form link, and the pipeline as a board (desktop) or a list (phone, or filtered). */
export function RecruitmentPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { can } = useSession();
  const mobile = useIsMobile();
  const navigate = useNavigate();
  const [stage, setStage] = useState<string>('board');
  const list = useApplications(stage === 'board' || stage === 'all' ? undefined : stage);
  const manage = can('dealer_network:recruit');
  const form = useRecruitmentForm(manage);
  const rotate = useNetworkMutation(rotateForm);
  const items = list.data?.items ?? [];
  const url = form.data?.url ? `${window.location.origin}${form.data.url}` : null;
  const onError = (e: unknown) => message.error(problemLines(e).join('；'));
  const view = mobile && stage === 'board' ? 'all' : stage;

  const stageTag = (s: string) => <Tag color={STAGE_COLOR[s]}>{t(`dnw.stages.${s}`)}</Tag>;
  const ageText = (a: ApplicationRow) => (
    <Typography.Text type={a.overdue ? 'danger' : undefined}>
      {a.overdue && <WarningOutlined aria-label={t('dnw.recruitment.overdue')} />} {age(a.ageHours, t)}
    </Typography.Text>
  );
  const open = (a: ApplicationRow) => navigate(`/dealer-network/applications/${a.id}`);

  return (
    <div className="kehu-page" data-testid="dnw-recruitment-page">
      <Typography.Title level={4}>{t('dnw.recruitment.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('dnw.recruitment.intro')}</Typography.Paragraph>
      {manage && (
        <Card size="small" style={{ marginBottom: 12 }} title={t('dnw.recruitment.formLink')}>
          {url ? (
            <Space wrap>
              <Typography.Text
                code
                copyable={false}
                data-testid="dnw-form-url"
                style={{ wordBreak: 'break-all' }}
              >
                {url}
              </Typography.Text>
              <Button
                icon={<CopyOutlined />}
                onClick={() =>
                  navigator.clipboard?.writeText(url).then(() => message.success(t('dnw.recruitment.copied')))
                }
              >
                {t('dnw.recruitment.copy')}
              </Button>
              <Button icon={<LinkOutlined />} href={url} target="_blank" rel="noopener">
                {t('dnw.recruitment.open')}
              </Button>
              <Popconfirm
                title={t('dnw.recruitment.rotateConfirm')}
                onConfirm={() => rotate.mutate(undefined, { onError })}
              >
                <Button danger>{t('dnw.recruitment.rotate')}</Button>
              </Popconfirm>
            </Space>
          ) : (
            <Space wrap>
              <Typography.Text type="secondary">{t('dnw.recruitment.noForm')}</Typography.Text>
              <Button
                type="primary"
                loading={rotate.isPending}
                onClick={() => rotate.mutate(undefined, { onError })}
              >
                {t('dnw.recruitment.makeForm')}
              </Button>
            </Space>
          )}
        </Card>
      )}
      <div style={{ overflowX: 'auto', marginBottom: 12 }}>
        <Segmented
          value={view}
          onChange={(v) => setStage(String(v))}
          options={[
            ...(mobile ? [] : [{ value: 'board', label: t('dnw.recruitment.board') }]),
            { value: 'all', label: t('dnw.all') },
            ...STAGES.map((s) => ({ value: s, label: t(`dnw.stages.${s}`) })),
          ]}
        />
      </div>
      {list.error && <Alert type="error" showIcon message={problemLines(list.error).join('；')} />}
      {!list.isLoading && items.length === 0 ? (
        <Card>
          <Empty description={t('dnw.recruitment.empty')} />
        </Card>
      ) : view === 'board' ? (
        <Row gutter={[12, 12]} wrap={false} style={{ overflowX: 'auto' }}>
          {BOARD.map((s) => {
            const col = items.filter((a) => a.stage === s);
            return (
              <Col key={s} flex="0 0 240px">
                <Card
                  size="small"
                  title={
                    <Space>
                      {stageTag(s)}
                      <span>{col.length}</span>
                    </Space>
                  }
                  data-testid={`dnw-col-${s}`}
                >
                  <Space direction="vertical" style={{ width: '100%' }}>
                    {col.map((a) => (
                      <Card
                        key={a.id}
                        size="small"
                        hoverable
                        tabIndex={0}
                        onClick={() => open(a)}
                        onKeyDown={(e) => e.key === 'Enter' && open(a)}
                        style={a.overdue ? { borderColor: '#ff4d4f' } : undefined}
                      >
                        <Typography.Text strong>{a.company}</Typography.Text>
                        <div>
                          <Typography.Text type="secondary">
                            {a.region} · {a.category}
                          </Typography.Text>
                        </div>
                        <div>{ageText(a)}</div>
                      </Card>
                    ))}
                  </Space>
                </Card>
              </Col>
            );
          })}
        </Row>
      ) : mobile ? (
        <List
          loading={list.isLoading}
          dataSource={items}
          renderItem={(a) => (
            <List.Item onClick={() => open(a)} style={{ cursor: 'pointer' }} extra={stageTag(a.stage)}>
              <List.Item.Meta
                title={<Link to={`/dealer-network/applications/${a.id}`}>{a.company}</Link>}
                description={
                  <>
                    {a.region} · {a.category} · {ageText(a)}
                  </>
                }
              />
            </List.Item>
          )}
        />
      ) : (
        <Table
          rowKey="id"
          size="small"
          loading={list.isLoading}
          dataSource={items}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          columns={[
            {
              title: t('dnw.recruitment.company'),
              dataIndex: 'company',
              render: (v, a) => <Link to={`/dealer-network/applications/${a.id}`}>{v}</Link>,
            },
            { title: t('dnw.recruitment.contact'), dataIndex: 'contactName' },
            { title: t('dnw.recruitment.region'), dataIndex: 'region' },
            { title: t('dnw.recruitment.category'), dataIndex: 'category' },
            { title: t('dnw.recruitment.unit'), dataIndex: 'unitName' },
            { title: t('dnw.recruitment.stage'), dataIndex: 'stage', render: stageTag },
            { title: t('dnw.recruitment.age'), key: 'age', render: (_, a) => ageText(a) },
          ]}
        />
      )}
    </div>
  );
}
