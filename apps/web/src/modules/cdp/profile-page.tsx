import { ArrowLeftOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  List,
  Row,
  Skeleton,
  Space,
  Switch,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { useSession } from '../../app/session';
import { http } from '../../shared/api-client';
import { ErrorResult, errorMessage } from '../../shared/ui/error-result';
import { type Profile360, useProfile, useTags } from './cdp-api';
import { cdpKeys } from './cdp-keys';
import { MergeList } from './merge-list';
import { ProfileTimeline } from './profile-timeline';
import { ruleText } from './rule-model';

const PURPOSES = ['marketing', 'analytics', 'service'];

export function ProfilePage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const { can } = useSession();
  const [unmasked, setUnmasked] = useState(false);
  const masked = useProfile(id);
  const full = useQuery({
    queryKey: cdpKeys.profiles.unmasked(id),
    queryFn: () => http.post<Profile360>(`/cdp/profiles/${id}/unmask`),
    enabled: unmasked,
  });
  const p = unmasked && full.data ? full.data : masked.data;
  const tags = useTags();
  const tagDefs = new Map((tags.data?.items ?? []).map((x) => [x.id, x]));
  const tagName = (key: string) => tags.data?.items.find((x) => x.key === key)?.name ?? key;
  const consent = useMutation({
    mutationFn: (v: { purpose: string; granted: boolean }) =>
      http.put(`/cdp/profiles/${p?.id}/consents/${v.purpose}`, { granted: v.granted }),
    onSuccess: () => qc.invalidateQueries({ queryKey: cdpKeys.profiles.detail(id) }),
    onError: (e) => message.error(errorMessage(e)),
  });
  if (masked.error) return <ErrorResult error={masked.error} onRetry={() => masked.refetch()} />;
  if (!p) return <Skeleton active />;
  const consentOf = (purpose: string) => p.consents.find((c) => c.purpose === purpose);
  return (
    <div className="kehu-page" data-testid="cdp-profile">
      <div className="kehu-page-header">
        <Space>
          <Link to="/cdp/profiles">
            <Button icon={<ArrowLeftOutlined />} aria-label={t('common.back')} />
          </Link>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {String(p.traits.name ?? p.identities[0]?.value ?? p.id.slice(-8))}
          </Typography.Title>
        </Space>
        {can('profile:unmask') && p._masked.length > 0 && !unmasked && (
          <Button onClick={() => setUnmasked(true)} data-testid="profile-unmask">
            {t('cdp.profile.unmask')}
          </Button>
        )}
      </div>
      {p.id !== id && (
        <Typography.Paragraph type="secondary">
          {t('cdp.profile.mergedInto', { id: p.id })}
        </Typography.Paragraph>
      )}
      <Row gutter={[12, 12]}>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('cdp.profile.identities')}>
            <Space wrap size={4} data-testid="profile-identities">
              {p.identities.map((i) => (
                <Tooltip key={i.id} title={new Date(i.firstSeenAt).toLocaleString()}>
                  <Tag>
                    {t(`cdp.idKind.${i.kind}`, { defaultValue: i.kind })}: {i.value}
                    {i.namespace ? ` (${i.namespace})` : ''}
                  </Tag>
                </Tooltip>
              ))}
            </Space>
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('cdp.profile.traits')}>
            {Object.keys(p.traits).length === 0 && (
              <Typography.Text type="secondary">{t('cdp.profile.noTraits')}</Typography.Text>
            )}
            <Descriptions size="small" column={1} data-testid="profile-traits">
              {Object.entries(p.traits).map(([k, v]) => (
                <Descriptions.Item key={k} label={k}>
                  {typeof v === 'object' ? JSON.stringify(v) : String(v)}
                </Descriptions.Item>
              ))}
            </Descriptions>
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('cdp.profile.tags')}>
            {p.tags.length === 0 ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('cdp.profile.noTags')} />
            ) : (
              <List
                size="small"
                data-testid="profile-tags"
                dataSource={p.tags}
                renderItem={(tag) => {
                  const def = tagDefs.get(tag.id);
                  const who = tag.setByName
                    ? t('cdp.profile.setBy', { who: tag.setByName })
                    : tag.reason === 'manual'
                      ? t('cdp.profile.reasonManual')
                      : t('cdp.profile.setByRule');
                  // A predicted tag's reason is its explanation, worded by the server in the reader's language.
                  const why =
                    tag.kind === 'predicted'
                      ? tag.reason
                      : def?.rule
                        ? ruleText(def.rule, t, tagName)
                        : def
                          ? t(`cdp.tagKind.${def.kind}`)
                          : null;
                  return (
                    <List.Item>
                      <Space direction="vertical" size={0} style={{ minWidth: 0 }}>
                        <Space wrap size={4}>
                          <Tag color="geekblue">{tag.name}</Tag>
                          {tag.value !== true && (
                            <Typography.Text strong>
                              {tag.kind === 'predicted'
                                ? t(`cdp.prediction.band.${tag.value}`, { defaultValue: String(tag.value) })
                                : String(tag.value)}
                            </Typography.Text>
                          )}
                          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                            {t(`cdp.tagKind.${tag.kind}`)}
                          </Typography.Text>
                        </Space>
                        <Typography.Text
                          type="secondary"
                          style={{ fontSize: 12 }}
                          data-testid="profile-tag-why"
                        >
                          <span title={dayjs(tag.setAt).format('YYYY-MM-DD HH:mm:ss')}>
                            {dayjs(tag.setAt).fromNow()}
                          </span>
                          {' · '}
                          {who}
                          {why ? ` · ${why}` : ''}
                        </Typography.Text>
                      </Space>
                    </List.Item>
                  );
                }}
              />
            )}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('cdp.profile.segments')}>
            <Space wrap data-testid="profile-segments">
              {p.segments.map((s) => (
                <Link key={s.id} to={`/cdp/segments/${s.id}`}>
                  <Tag color="green">{s.name}</Tag>
                </Link>
              ))}
              {p.segments.length === 0 && <Typography.Text type="secondary">—</Typography.Text>}
            </Space>
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('cdp.profile.consents')}>
            <Space direction="vertical">
              {PURPOSES.map((purpose) => {
                const c = consentOf(purpose);
                return (
                  <Space key={purpose}>
                    <Switch
                      checked={c ? c.granted : true}
                      disabled={!can('cdp:manage')}
                      onChange={(granted) => consent.mutate({ purpose, granted })}
                      data-testid={`consent-${purpose}`}
                    />
                    <span>{t(`cdp.purpose.${purpose}`)}</span>
                    {c && (
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {new Date(c.at).toLocaleString()} · {c.source}
                      </Typography.Text>
                    )}
                  </Space>
                );
              })}
            </Space>
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('cdp.profile.crm')}>
            {p.links.length === 0 ? (
              <Typography.Text type="secondary">{t('cdp.profile.noCrm')}</Typography.Text>
            ) : (
              <List
                size="small"
                dataSource={p.links}
                data-testid="profile-crm"
                renderItem={(l) => (
                  <List.Item>
                    <Space direction="vertical" size={0}>
                      <Space wrap size={4}>
                        <Tag>{t(`cdp.rule.${l.object}`)}</Tag>
                        {l.visible ? (
                          <Link to={`/records/${l.object}/${l.recordId}`}>
                            {l.name ?? l.recordId.slice(0, 8)}
                          </Link>
                        ) : (
                          <Typography.Text type="secondary">{t('cdp.profile.linkHidden')}</Typography.Text>
                        )}
                      </Space>
                      {l.visible && (
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          {t('cdp.profile.owner')}: {l.ownerName ?? '—'}
                          {l.object === 'contact' && l.customerId && (
                            <>
                              {' · '}
                              {t('cdp.profile.ofCustomer')}:{' '}
                              <Link to={`/records/customer/${l.customerId}`}>{l.customerName ?? '—'}</Link>
                            </>
                          )}
                        </Typography.Text>
                      )}
                    </Space>
                  </List.Item>
                )}
              />
            )}
          </Card>
        </Col>
        <Col xs={24}>
          <Card size="small" title={t('cdp.profile.timeline')}>
            <ProfileTimeline profileId={p.id} />
          </Card>
        </Col>
        <Col xs={24}>
          <Card size="small" title={t('cdp.merges.title')}>
            <MergeList merges={p.merges} canManage={can('cdp:manage')} />
          </Card>
        </Col>
      </Row>
    </div>
  );
}
