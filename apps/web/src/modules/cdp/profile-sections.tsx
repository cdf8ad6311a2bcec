import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Descriptions, Empty, List, Space, Switch, Tag, Tooltip, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useSession } from '../../app/session';
import { http } from '../../shared/api-client';
import { errorMessage } from '../../shared/ui/error-result';
import type { PersonSection } from '../../shared/ui/person-layout';
import { type Profile360, useTags } from './cdp-api';
import { cdpKeys } from './cdp-keys';
import { MergeList } from './merge-list';
import { ProfileTimeline } from './profile-timeline';
import { ruleText } from './rule-model';

const PURPOSES = ['marketing', 'analytics', 'service'];

/** A profile as the viewer sees it, masked; in full once they ask (profile:unmask, audited server-side). */
export function useUnmaskedProfile(masked: Profile360 | null | undefined) {
  const { can } = useSession();
  const [unmasked, setUnmasked] = useState(false);
  const id = masked?.id ?? '';
  const full = useQuery({
    queryKey: cdpKeys.profiles.unmasked(id),
    queryFn: () => http.post<Profile360>(`/cdp/profiles/${id}/unmask`),
    enabled: unmasked && !!id,
  });
  return {
    profile: unmasked && full.data ? full.data : masked,
    canUnmask: !!masked && can('profile:unmask') && masked._masked.length > 0 && !unmasked,
    unmask: () => setUnmasked(true),
  };
}

function Identities({ p }: { p: Profile360 }) {
  const { t } = useTranslation();
  return (
    <Space wrap size={4} data-testid="profile-identities">
      {p.identities.map((i) => (
        <Tooltip key={i.id} title={dayjs(i.firstSeenAt).format('YYYY-MM-DD HH:mm')}>
          <Tag>
            {t(`cdp.idKind.${i.kind}`, { defaultValue: i.kind })}: {i.value}
            {i.namespace ? ` (${i.namespace})` : ''}
          </Tag>
        </Tooltip>
      ))}
    </Space>
  );
}

function Traits({ p }: { p: Profile360 }) {
  const { t } = useTranslation();
  if (Object.keys(p.traits).length === 0)
    return <Typography.Text type="secondary">{t('cdp.profile.noTraits')}</Typography.Text>;
  return (
    <Descriptions size="small" column={1} data-testid="profile-traits">
      {Object.entries(p.traits).map(([k, v]) => (
        <Descriptions.Item key={k} label={k}>
          {typeof v === 'object' ? JSON.stringify(v) : String(v)}
        </Descriptions.Item>
      ))}
    </Descriptions>
  );
}

function ProfileTags({ p }: { p: Profile360 }) {
  const { t } = useTranslation();
  const tags = useTags();
  const tagDefs = new Map((tags.data?.items ?? []).map((x) => [x.id, x]));
  const tagName = (key: string) => tags.data?.items.find((x) => x.key === key)?.name ?? key;
  if (p.tags.length === 0)
    return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('cdp.profile.noTags')} />;
  return (
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
              <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="profile-tag-why">
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
  );
}

function Segments({ p }: { p: Profile360 }) {
  return (
    <Space wrap data-testid="profile-segments">
      {p.segments.map((s) => (
        <Link key={s.id} to={`/cdp/segments/${s.id}`}>
          <Tag color="green">{s.name}</Tag>
        </Link>
      ))}
      {p.segments.length === 0 && <Typography.Text type="secondary">—</Typography.Text>}
    </Space>
  );
}

function Consents({ p, invalidate }: { p: Profile360; invalidate: readonly unknown[] }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const { can } = useSession();
  const consent = useMutation({
    mutationFn: (v: { purpose: string; granted: boolean }) =>
      http.put(`/cdp/profiles/${p.id}/consents/${v.purpose}`, { granted: v.granted }),
    onSuccess: () => qc.invalidateQueries({ queryKey: invalidate }),
    onError: (e) => message.error(errorMessage(e)),
  });
  return (
    <Space direction="vertical" data-testid="profile-consents">
      {PURPOSES.map((purpose) => {
        const c = p.consents.find((x) => x.purpose === purpose);
        return (
          <Space key={purpose} wrap>
            <Switch
              checked={c ? c.granted : true}
              disabled={!can('cdp:manage')}
              onChange={(granted) => consent.mutate({ purpose, granted })}
              data-testid={`consent-${purpose}`}
            />
            <span>{t(`cdp.purpose.${purpose}`)}</span>
            {c && (
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {dayjs(c.at).format('YYYY-MM-DD HH:mm')} · {c.source}
              </Typography.Text>
            )}
          </Space>
        );
      })}
    </Space>
  );
}

function CrmLinks({ p }: { p: Profile360 }) {
  const { t } = useTranslation();
  if (p.links.length === 0)
    return <Typography.Text type="secondary">{t('cdp.profile.noCrm')}</Typography.Text>;
  return (
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
                <Link to={`/o/${l.object}/${l.recordId}`}>{l.name ?? t('records.untitled')}</Link>
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
                    <Link to={`/o/customer/${l.customerId}`}>{l.customerName ?? '—'}</Link>
                  </>
                )}
              </Typography.Text>
            )}
          </Space>
        </List.Item>
      )}
    />
  );
}

/**
 * A profile's parts as sections of a person page: on its own page (timeline in the main column)
 * and as the CDP section of the one customer page (which has its own, unified timeline).
 */
export function useProfileSections(
  p: Profile360 | null | undefined,
  opts: {
    timeline: boolean;
    crm: boolean;
    invalidate: readonly unknown[];
    /** Beside a record's own tags and segments (the customer page): say these are the profile's. */
    ofProfile?: boolean;
  },
): { main: PersonSection[]; side: PersonSection[] } {
  const { t } = useTranslation();
  const { can } = useSession();
  if (!p) return { main: [], side: [] };
  const main: PersonSection[] = [];
  if (opts.timeline)
    main.push({
      key: 'timeline',
      title: t('cdp.profile.timeline'),
      content: <ProfileTimeline profileId={p.id} />,
      lazy: true,
      minHeight: 320,
    });
  main.push({
    key: 'merges',
    title: t('cdp.merges.title'),
    content: <MergeList merges={p.merges} canManage={can('cdp:manage')} />,
    lazy: true,
  });
  const side: PersonSection[] = [
    {
      key: 'profile-tags',
      title: opts.ofProfile ? t('cdp.person.sections.profileTags') : t('cdp.profile.tags'),
      content: <ProfileTags p={p} />,
    },
    {
      key: 'profile-segments',
      title: opts.ofProfile ? t('cdp.person.sections.profileSegments') : t('cdp.profile.segments'),
      content: <Segments p={p} />,
    },
    {
      key: 'consents',
      title: t('cdp.profile.consents'),
      content: <Consents p={p} invalidate={opts.invalidate} />,
    },
    { key: 'identities', title: t('cdp.profile.identities'), content: <Identities p={p} /> },
    { key: 'traits', title: t('cdp.profile.traits'), content: <Traits p={p} /> },
  ];
  if (opts.crm) side.push({ key: 'crm', title: t('cdp.profile.crm'), content: <CrmLinks p={p} /> });
  return { main, side };
}
