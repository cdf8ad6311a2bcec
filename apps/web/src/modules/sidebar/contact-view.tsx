import { useMutation, useQueryClient } from '@tanstack/react-query';
import {
  App as AntApp,
  Button,
  Card,
  Empty,
  Input,
  InputNumber,
  Space,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SidebarMessage } from '../../app/web-modules';
import { http } from '../../shared/api-client';
import { errorMessage } from '../../shared/error-message';
import { formatCurrency } from '../../shared/format';
import { type SidebarContact, sidebarKeys, useToggleTag } from './sidebar-api';

type Send = (m: SidebarMessage) => Promise<void>;

/** The customer in the open chat: who they are, tags, segments, deals, history and quick actions. */
export function ContactView({ contact, send }: { contact: SidebarContact; send: Send }) {
  const { t, i18n } = useTranslation();
  const c = contact;
  const applied = new Set(c.profile?.tags.map((x) => x.id));
  return (
    <Space direction="vertical" size={10} style={{ width: '100%' }}>
      <Card size="small" data-testid="sidebar-profile">
        <div className="kehu-sidebar-head">
          <div className="kehu-sidebar-avatar">{[...(c.name ?? '?')][0]}</div>
          <div>
            <Typography.Title level={5} style={{ margin: 0 }}>
              {c.name ?? t('sidebar.contact.unnamed')}
            </Typography.Title>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {c.following
                ? t('sidebar.contact.yours')
                : t('sidebar.contact.colleagues', {
                    names: c.followers.map((f) => f.name ?? f.userid).join('、'),
                  })}
            </Typography.Text>
          </div>
        </div>
        {c.remarkMobiles.length > 0 && (
          <div className="kehu-sidebar-row">
            <span>{t('sidebar.contact.phones')}</span>
            <span>{c.remarkMobiles.join('，')}</span>
          </div>
        )}
        <div className="kehu-sidebar-row">
          <span>{t('sidebar.contact.addedAt')}</span>
          <span>{dayjs(c.addedAt).format('YYYY-MM-DD')}</span>
        </div>
        {c.customer && (
          <div className="kehu-sidebar-row">
            <span>{t('sidebar.contact.customer')}</span>
            <a href={`/o/customer/${c.customer.id}`} target="_blank" rel="noreferrer">
              {c.customer.name}
            </a>
          </div>
        )}
      </Card>

      <Card size="small" title={t('sidebar.tags.title')} data-testid="sidebar-tags">
        {!c.profile ? (
          <Typography.Text type="secondary">{t('sidebar.tags.noProfile')}</Typography.Text>
        ) : (
          <>
            <div className="kehu-sidebar-tags">
              {c.profile.tags.length === 0 && (
                <Typography.Text type="secondary">{t('sidebar.tags.none')}</Typography.Text>
              )}
              {c.profile.tags.map((x) => (
                <Tag key={x.id} color={x.kind === 'manual' ? 'blue' : 'default'}>
                  {x.name}
                </Tag>
              ))}
            </div>
            <TagPicker contact={c} applied={applied} />
          </>
        )}
        {c.profile && c.profile.segments.length > 0 && (
          <div className="kehu-sidebar-tags" style={{ marginTop: 8 }}>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('sidebar.segments')}
            </Typography.Text>
            {c.profile.segments.map((s) => (
              <Tag key={s.id} color="purple">
                {s.name}
              </Tag>
            ))}
          </div>
        )}
      </Card>

      <QuickActions contact={c} send={send} />

      <Card size="small" title={t('sidebar.deals.title')} data-testid="sidebar-deals">
        {c.opportunities.length === 0 && c.orders.length === 0 ? (
          <Typography.Text type="secondary">{t('sidebar.deals.none')}</Typography.Text>
        ) : (
          <>
            {c.opportunities.map((o) => (
              <div className="kehu-sidebar-row" key={o.id}>
                <a href={`/o/opportunity/${o.id}`} target="_blank" rel="noreferrer">
                  {o.name}
                </a>
                <span>{formatCurrency(o.amount, i18n.language)}</span>
              </div>
            ))}
            {c.orders.map((o) => (
              <div className="kehu-sidebar-row" key={o.id}>
                <span>
                  {t('sidebar.deals.order')} {o.name}
                </span>
                <span>{formatCurrency(o.amount, i18n.language)}</span>
              </div>
            ))}
          </>
        )}
      </Card>

      <Card size="small" title={t('sidebar.timeline.title')} data-testid="sidebar-timeline">
        {c.timeline.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('sidebar.timeline.none')} />
        ) : (
          <Timeline
            items={c.timeline.slice(0, 10).map((i) => ({
              children: (
                <div className="kehu-sidebar-event">
                  <span>
                    {i.recordName ?? t(`sidebar.timeline.object.${i.object}`, { defaultValue: i.object })}
                  </span>
                  <small>
                    {dayjs(i.at).format('MM-DD HH:mm')} · {i.actor ?? i.action}
                  </small>
                </div>
              ),
            }))}
          />
        )}
      </Card>
    </Space>
  );
}

function TagPicker({ contact, applied }: { contact: SidebarContact; applied: Set<string> }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const toggle = useToggleTag(contact.externalUserId);
  if (contact.tagChoices.length === 0)
    return (
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '8px 0 0' }}>
        {t('sidebar.tags.noChoices')}
      </Typography.Paragraph>
    );
  const groups = new Map<string, typeof contact.tagChoices>();
  for (const c of contact.tagChoices) groups.set(c.group ?? '', [...(groups.get(c.group ?? '') ?? []), c]);
  return (
    <div className="kehu-sidebar-picker" data-testid="sidebar-tag-picker">
      {[...groups].map(([g, tags]) => (
        <div key={g}>
          <small>{g}</small>
          {tags.map((x) => (
            <Tag.CheckableTag
              key={x.tagId}
              checked={applied.has(x.tagId)}
              onChange={(on) =>
                toggle.mutate(
                  { tagId: x.tagId, on },
                  {
                    onError: (e) => message.error(errorMessage(e)),
                    onSuccess: () => message.success(t('sidebar.tags.saved')),
                  },
                )
              }
            >
              {x.name}
            </Tag.CheckableTag>
          ))}
        </div>
      ))}
    </div>
  );
}

type Action = 'followUp' | 'opportunity' | 'send' | null;

function QuickActions({ contact, send }: { contact: SidebarContact; send: Send }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const qc = useQueryClient();
  const [open, setOpen] = useState<Action>(null);
  const [text, setText] = useState('');
  const [amount, setAmount] = useState<number | null>(null);
  const related = {
    ...(contact.customer ? { customerId: contact.customer.id } : {}),
    ...(contact.contactId && contact.customer ? { contactId: contact.contactId } : {}),
    ...(contact.leadId && !contact.customer ? { leadId: contact.leadId } : {}),
  };
  const done = (msg: string) => {
    message.success(msg);
    setOpen(null);
    setText('');
    setAmount(null);
    void qc.invalidateQueries({ queryKey: sidebarKeys.contact(contact.externalUserId) });
  };
  const followUp = useMutation({
    mutationFn: () =>
      http.post('/records/activity', {
        type: 'wecom',
        subject: text.trim().slice(0, 200),
        content: text.trim(),
        occurredAt: new Date().toISOString(),
        status: 'done',
        ...related,
      }),
    onSuccess: () => done(t('sidebar.actions.followUpSaved')),
    onError: (e) => message.error(errorMessage(e)),
  });
  const opportunity = useMutation({
    mutationFn: () =>
      http.post('/records/opportunity', {
        name: text.trim(),
        ...(amount != null ? { amount: { amount: Math.round(amount * 100), currency: 'CNY' } } : {}),
        ...related,
      }),
    onSuccess: () => done(t('sidebar.actions.opportunitySaved')),
    onError: (e) => message.error(errorMessage(e)),
  });
  const sending = useMutation({
    mutationFn: () => send({ msgtype: 'text', text: { content: text.trim() } }),
    onSuccess: () => {
      setText('');
      setOpen(null);
    },
  });
  const toggle = (a: Action) => {
    setOpen(open === a ? null : a);
    setText('');
  };
  return (
    <Card size="small" title={t('sidebar.actions.title')} data-testid="sidebar-actions">
      <div className="kehu-sidebar-actions">
        <Button onClick={() => toggle('followUp')} type={open === 'followUp' ? 'primary' : 'default'}>
          {t('sidebar.actions.followUp')}
        </Button>
        <Button
          onClick={() => toggle('opportunity')}
          disabled={!contact.customer}
          type={open === 'opportunity' ? 'primary' : 'default'}
        >
          {t('sidebar.actions.opportunity')}
        </Button>
        <Button
          href={contact.customer ? `/o/quote/new?customerId=${contact.customer.id}` : undefined}
          target="_blank"
          disabled={!contact.customer}
        >
          {t('sidebar.actions.quote')}
        </Button>
        <Button onClick={() => toggle('send')} type={open === 'send' ? 'primary' : 'default'}>
          {t('sidebar.actions.send')}
        </Button>
      </div>
      {!contact.customer && (
        <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '6px 0 0' }}>
          {t('sidebar.actions.noCustomer')}
        </Typography.Paragraph>
      )}
      {open && (
        <Space direction="vertical" style={{ width: '100%', marginTop: 8 }}>
          <Input.TextArea
            autoFocus
            rows={open === 'opportunity' ? 1 : 3}
            maxLength={open === 'opportunity' ? 200 : 2000}
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder={t(`sidebar.actions.${open}Placeholder`)}
            aria-label={t(`sidebar.actions.${open}`)}
          />
          {open === 'opportunity' && (
            <InputNumber
              style={{ width: '100%' }}
              min={0}
              value={amount}
              onChange={(v) => setAmount(v)}
              placeholder={t('sidebar.actions.amount')}
              addonAfter="¥"
            />
          )}
          <Button
            type="primary"
            block
            disabled={!text.trim()}
            loading={followUp.isPending || opportunity.isPending || sending.isPending}
            onClick={() =>
              open === 'followUp'
                ? followUp.mutate()
                : open === 'opportunity'
                  ? opportunity.mutate()
                  : sending.mutate()
            }
          >
            {t(open === 'send' ? 'sidebar.actions.sendNow' : 'sidebar.actions.save')}
          </Button>
        </Space>
      )}
    </Card>
  );
}
