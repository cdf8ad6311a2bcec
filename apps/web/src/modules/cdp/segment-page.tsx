import {
  ArrowLeftOutlined,
  DeleteOutlined,
  DownloadOutlined,
  EditOutlined,
  LoadingOutlined,
} from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Col,
  Form,
  Input,
  List,
  Progress,
  Row,
  Select,
  Skeleton,
  Space,
  Statistic,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { useSession } from '../../app/session';
import { apiFetch, http, saveResponse } from '../../shared/api-client';
import { EChart } from '../../shared/ui/echart';
import { errorMessage, PageError } from '../../shared/ui/error-result';
import {
  type Rule,
  type Segment,
  useSegment,
  useSegmentHistory,
  useSegmentMembers,
  useTags,
} from './cdp-api';
import { cdpKeys } from './cdp-keys';
import { ObjectPicker, useSubjectObjects } from './object-picker';
import { RuleBuilder } from './rule-builder';
import { cleanRule, ruleText } from './rule-model';

/** A new segment's first condition: a trait of a person, or a field of the object's records. */
const defaultRule = (object: string): Rule =>
  object === 'profile'
    ? { and: [{ trait: 'plan', op: 'eq', value: 'gold' }] }
    : { and: [{ trait: 'name', op: 'contains', value: '' }] };

function useDebounced<T>(v: T, ms: number): T {
  const [d, setD] = useState(v);
  useEffect(() => {
    const h = setTimeout(() => setD(v), ms);
    return () => clearTimeout(h);
  }, [v, ms]);
  return d;
}

/** Create or edit: the builder with a live count of matching profiles (or records of the object). */
export function SegmentEditor({ segment, onDone }: { segment?: Segment; onDone?: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const nav = useNavigate();
  const qc = useQueryClient();
  const tags = useTags();
  const [params] = useSearchParams();
  const [object, setObject] = useState(segment?.object ?? params.get('object') ?? 'profile');
  const tagName = (key: string) => tags.data?.items.find((x) => x.key === key)?.name ?? key;
  const [name, setName] = useState(segment?.name ?? '');
  const [description, setDescription] = useState(segment?.description ?? '');
  const [purpose, setPurpose] = useState(segment?.purpose ?? 'analytics');
  const [rule, setRule] = useState<Rule>(segment?.rule ?? defaultRule(object));
  const pickObject = (o: string) => {
    setObject(o);
    setRule(defaultRule(o));
  };
  // Memoised: a fresh object each render would restart the debounce forever.
  const draft = useMemo(() => ({ rule: cleanRule(rule), purpose }), [rule, purpose]);
  const records = object !== 'profile';
  const live = useDebounced(draft, 400);
  const count = useQuery({
    queryKey: cdpKeys.segments.preview(object, live),
    queryFn: () =>
      http.post<{ count: number; total: number }>('/cdp/segments/preview', {
        name: 'preview',
        object,
        ...live,
      }),
    retry: false,
  });
  const save = useMutation({
    mutationFn: () =>
      segment
        ? http.patch<Segment>(`/cdp/segments/${segment.id}`, {
            name,
            description: description || null,
            ...draft,
          })
        : http.post<Segment>('/cdp/segments', {
            name,
            description: description || null,
            object,
            ...draft,
          }),
    onSuccess: (s) => {
      void qc.invalidateQueries({ queryKey: cdpKeys.all });
      if (segment) message.success(t('cdp.segments.saved'));
      // Editing happens on the segment's own page: go back to its view.
      if (onDone) onDone();
      else nav(`/cdp/segments/${s.id}`);
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  return (
    <div className="kehu-page" data-testid="segment-editor">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {segment ? `${t('cdp.segments.edit')} · ${segment.name}` : t('cdp.segments.new')}
        </Typography.Title>
        <Space>
          {onDone && (
            <Button onClick={onDone} data-testid="segment-cancel">
              {t('cdp.segments.cancel')}
            </Button>
          )}
          <Button
            type="primary"
            disabled={!name.trim()}
            loading={save.isPending}
            onClick={() => save.mutate()}
            data-testid="segment-save"
          >
            {t('common.save', { defaultValue: '保存' })}
          </Button>
        </Space>
      </div>
      <Row gutter={[12, 12]}>
        <Col xs={{ span: 24, order: 2 }} lg={{ span: 18, order: 1 }}>
          <Form layout="vertical">
            <Form.Item label={t('cdp.segments.name')} required>
              <Input value={name} onChange={(e) => setName(e.target.value)} data-testid="segment-name" />
            </Form.Item>
            <Form.Item label={t('cdp.segments.description')}>
              <Input.TextArea
                rows={2}
                maxLength={1000}
                value={description}
                onChange={(e) => setDescription(e.target.value)}
                data-testid="segment-description"
              />
            </Form.Item>
            <Form.Item
              label={t('cdp.segments.objectPick')}
              extra={!segment && records ? t('cdp.segments.objectHint') : undefined}
            >
              <ObjectPicker
                value={object}
                onChange={pickObject}
                disabled={!!segment}
                testId="segment-object"
                width="100%"
              />
            </Form.Item>
            <Form.Item label={t('cdp.segments.purpose')}>
              <Select
                value={purpose}
                onChange={setPurpose}
                options={['analytics', 'marketing', 'service'].map((p) => ({
                  value: p,
                  label: t(`cdp.purpose.${p}`),
                }))}
              />
            </Form.Item>
          </Form>
          <RuleBuilder
            value={rule}
            onChange={setRule}
            object={object}
            tags={(tags.data?.items ?? [])
              .filter((x) => x.object === object)
              .map((x) => ({ key: x.key, name: x.name }))}
          />
        </Col>
        {/* On a phone the live count sits above the builder, so it stays in view while editing. */}
        <Col xs={{ span: 24, order: 1 }} lg={{ span: 6, order: 2 }}>
          <Card size="small" style={{ position: 'sticky', top: 12 }} data-testid="segment-live">
            <Statistic
              title={t('cdp.segments.liveCount')}
              value={count.data?.count ?? '—'}
              suffix={count.data ? `/ ${count.data.total}` : undefined}
              loading={count.isFetching && !count.data}
            />
            <div data-testid="segment-live-count" style={{ display: 'none' }}>
              {count.data?.count}
            </div>
            {count.data && count.data.total > 0 && (
              <Progress
                percent={Math.round((1000 * count.data.count) / count.data.total) / 10}
                size="small"
                showInfo
              />
            )}
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {count.isFetching ? <LoadingOutlined /> : null}{' '}
              {records ? t('cdp.segments.liveHintRecords') : t('cdp.segments.liveHint')}
            </Typography.Text>
            {count.error && (
              <div>
                <Typography.Text type="danger">{errorMessage(count.error)}</Typography.Text>
              </div>
            )}
            <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginTop: 8, marginBottom: 0 }}>
              {ruleText(draft.rule, t, tagName)}
            </Typography.Paragraph>
          </Card>
        </Col>
      </Row>
    </div>
  );
}

export function SegmentPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const { can } = useSession();
  const nav = useNavigate();
  const qc = useQueryClient();
  const seg = useSegment(id);
  const history = useSegmentHistory(id);
  const members = useSegmentMembers(id);
  const { objectLabel } = useSubjectObjects();
  const [editing, setEditing] = useState(false);
  const del = useMutation({
    mutationFn: () => http.del(`/cdp/segments/${id}`),
    onSuccess: () => {
      message.success(t('cdp.segments.deleted'));
      qc.removeQueries({ queryKey: cdpKeys.segments.detail(id) });
      void qc.invalidateQueries({ queryKey: cdpKeys.segments.list() });
      void qc.invalidateQueries({ queryKey: cdpKeys.tags.list() });
      nav('/cdp/segments');
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  const option = useMemo(() => {
    const items = history.data?.items ?? [];
    return {
      tooltip: { trigger: 'axis' as const },
      // Legend above the plot and labels inside the grid, so neither covers the axis on a phone.
      legend: {
        top: 0,
        data: [t('cdp.segments.members_'), t('cdp.segments.entered'), t('cdp.segments.exited')],
      },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: 'category' as const, data: items.map((i) => i.day) },
      yAxis: { type: 'value' as const },
      series: [
        { name: t('cdp.segments.members_'), type: 'line' as const, data: items.map((i) => i.members) },
        { name: t('cdp.segments.entered'), type: 'bar' as const, data: items.map((i) => i.entered) },
        { name: t('cdp.segments.exited'), type: 'bar' as const, data: items.map((i) => -i.exited) },
      ],
    };
  }, [history.data, t]);
  const exportCsv = async () => {
    try {
      const res = await apiFetch(`/cdp/segments/${id}/export`);
      await saveResponse(res, `segment-${id}.csv`);
    } catch (e) {
      message.error(errorMessage(e));
    }
  };
  if (seg.error) return <PageError error={seg.error} onRetry={() => seg.refetch()} />;
  if (!seg.data) return <Skeleton active />;
  if (editing) return <SegmentEditor segment={seg.data} onDone={() => setEditing(false)} />;
  return (
    <div className="kehu-page" data-testid="segment-page">
      <div className="kehu-page-header">
        <Space>
          <Link to="/cdp/segments">
            <Button icon={<ArrowLeftOutlined />} aria-label={t('common.back')} />
          </Link>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {seg.data.name}
          </Typography.Title>
        </Space>
        <Space wrap>
          {can('cdp:manage') && (
            <Button icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="segment-edit">
              {t('cdp.segments.edit')}
            </Button>
          )}
          {can('cdp:manage') && (
            <Button
              danger
              icon={<DeleteOutlined />}
              loading={del.isPending}
              data-testid="segment-delete"
              onClick={() =>
                modal.confirm({
                  title: t('cdp.segments.deleteConfirm', { name: seg.data!.name }),
                  okButtonProps: { danger: true },
                  onOk: () => del.mutateAsync(),
                })
              }
            >
              {t('cdp.segments.delete')}
            </Button>
          )}
          {can('segment:export') && (
            <Button icon={<DownloadOutlined />} onClick={exportCsv} data-testid="segment-export">
              {t('cdp.segments.export')}
            </Button>
          )}
        </Space>
      </div>
      {seg.data.description && (
        <Typography.Paragraph type="secondary" data-testid="segment-description-text">
          {seg.data.description}
        </Typography.Paragraph>
      )}
      <Row gutter={[12, 12]}>
        <Col xs={24} lg={8}>
          <Card size="small">
            <Statistic
              title={
                seg.data.object === 'profile'
                  ? t('cdp.segments.memberCount')
                  : `${t('cdp.segments.memberCount')} · ${objectLabel(seg.data.object)}`
              }
              value={seg.data.memberCount}
            />
            <div data-testid="segment-member-count" style={{ display: 'none' }}>
              {seg.data.memberCount}
            </div>
          </Card>
        </Col>
        <Col xs={24} lg={16}>
          <Card size="small" title={t('cdp.segments.chart')}>
            <EChart option={option} height={240} testId="segment-chart" />
          </Card>
        </Col>
        <Col xs={24}>
          <Card size="small" title={t('cdp.segments.memberList')} data-testid="segment-members">
            <List
              size="small"
              loading={members.isPending}
              dataSource={members.data?.items ?? []}
              locale={{ emptyText: t('cdp.segments.noMembers') }}
              renderItem={(m) => (
                <List.Item style={{ flexWrap: 'wrap', gap: 4 }} data-testid="segment-member">
                  {seg.data.object === 'profile' ? (
                    <Link to={`/cdp/profiles/${m.id}`}>
                      {/* an id's first characters are its timestamp (uuid v7): the tail tells members apart */}
                      {m.name ?? t('cdp.segments.anonymousMember', { id: m.id.slice(-6) })}
                    </Link>
                  ) : m.visible === false ? (
                    <Typography.Text type="secondary">{t('cdp.segments.hiddenMember')}</Typography.Text>
                  ) : (
                    <Link to={`/o/${seg.data.object}/${m.id}`}>{m.name || m.id.slice(-8)}</Link>
                  )}
                  <Typography.Text type="secondary">
                    {[m.phone, m.email].filter(Boolean).join(' · ')}{' '}
                    {dayjs(m.enteredAt).format('YYYY-MM-DD HH:mm')}
                  </Typography.Text>
                </List.Item>
              )}
            />
          </Card>
        </Col>
      </Row>
    </div>
  );
}
