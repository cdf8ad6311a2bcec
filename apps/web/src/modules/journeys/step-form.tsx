import type { Duration, StepData } from '@kehu/contracts/journeys';
import { CHANNELS } from '@kehu/contracts/journeys';
import { Button, Checkbox, Form, Input, InputNumber, Radio, Select, Space, TimePicker } from 'antd';
import dayjs from 'dayjs';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { RuleBuilder } from '../cdp';
import { usePickers } from './journeys-api';

type Patch = (p: Record<string, unknown>) => void;

/** 3 天 / 3 days: a duration in words. */
export const durationText = (t: TFunction, d: Duration) => t(`journeys.unit.${d.unit}`, { count: d.amount });

/** The words a step shows on the canvas under its name (zh-CN in Chinese). */
export function stepSummary(t: TFunction, s: StepData): string {
  switch (s.kind) {
    case 'wait':
      if (s.mode === 'duration') return t('journeys.sum.waitFor', { d: durationText(t, s.duration) });
      if (s.mode === 'until')
        return t('journeys.sum.until', {
          time: s.time,
          days: s.weekdays.length ? s.weekdays.map((w) => t(`journeys.weekday.${w}`)).join('、') : '',
        });
      return t('journeys.sum.event', { event: s.event, d: durationText(t, s.timeout) });
    case 'send':
      return (
        t(`journeys.channel.${s.channel}`) + (s.couponTemplateId ? ` · ${t('journeys.sum.coupon')}` : '')
      );
    case 'task':
    case 'lead':
      return s.title;
    case 'tag':
      return t(`journeys.sum.tag_${s.action}`);
    case 'field':
      return `${s.trait} = ${String(s.value)}`;
    case 'random':
      return s.variants.map((v) => `${v.key} ${v.weight}`).join(' / ');
    default:
      return '';
  }
}

/** A branch handle in words: 是/否, 超时/事件发生, a variant's key. */
export const handleText = (t: TFunction, h: string) =>
  ['yes', 'no', 'timeout', 'event'].includes(h) ? t(`journeys.handle.${h}`) : h;

function DurationInput({
  value,
  onChange,
  testId,
}: {
  value: Duration;
  onChange: (d: Duration) => void;
  testId?: string;
}) {
  const { t } = useTranslation();
  return (
    <Space.Compact>
      <InputNumber
        min={1}
        max={10_000}
        value={value.amount}
        onChange={(v) => onChange({ ...value, amount: Number(v) || 1 })}
        data-testid={testId}
        aria-label={t('journeys.form.amount')}
      />
      <Select
        value={value.unit}
        style={{ width: 100 }}
        onChange={(unit) => onChange({ ...value, unit })}
        aria-label={t('journeys.form.unit')}
        options={(['minutes', 'hours', 'days'] as const).map((u) => ({
          value: u,
          label: t(`journeys.unitName.${u}`),
        }))}
      />
    </Space.Compact>
  );
}

/** The settings of one step as a form (no JSON): what a marketer picks, in their words. */
export function StepForm({ step: s, onPatch }: { step: StepData; onPatch: Patch }) {
  const { t } = useTranslation();
  const p = usePickers(true);
  switch (s.kind) {
    case 'wait':
      return (
        <>
          <Form.Item label={t('journeys.form.waitMode')}>
            <Radio.Group
              value={s.mode}
              optionType="button"
              data-testid="step-wait-mode"
              onChange={(e) => {
                const mode = e.target.value;
                if (mode === 'duration') onPatch({ mode, duration: { amount: 3, unit: 'days' } });
                else if (mode === 'until') onPatch({ mode, time: '10:00', weekdays: [] });
                else onPatch({ mode, event: '', where: [], timeout: { amount: 3, unit: 'days' } });
              }}
              options={(['duration', 'until', 'event'] as const).map((m) => ({
                value: m,
                label: t(`journeys.form.mode_${m}`),
              }))}
            />
          </Form.Item>
          {s.mode === 'duration' && (
            <Form.Item label={t('journeys.form.duration')}>
              <DurationInput
                value={s.duration}
                onChange={(duration) => onPatch({ duration })}
                testId="step-wait-amount"
              />
            </Form.Item>
          )}
          {s.mode === 'until' && (
            <>
              <Form.Item label={t('journeys.form.time')}>
                <TimePicker
                  format="HH:mm"
                  minuteStep={5}
                  allowClear={false}
                  value={dayjs(`2000-01-01T${s.time}`)}
                  onChange={(v) => v && onPatch({ time: v.format('HH:mm') })}
                />
              </Form.Item>
              <Form.Item label={t('journeys.form.weekdays')} extra={t('journeys.form.weekdaysHint')}>
                <Checkbox.Group
                  value={s.weekdays}
                  onChange={(w) => onPatch({ weekdays: (w as number[]).sort() })}
                  options={[1, 2, 3, 4, 5, 6, 7].map((d) => ({
                    value: d,
                    label: t(`journeys.weekday.${d}`),
                  }))}
                />
              </Form.Item>
            </>
          )}
          {s.mode === 'event' && (
            <>
              <Form.Item label={t('journeys.form.event')} required>
                <Input
                  value={s.event}
                  onChange={(e) => onPatch({ event: e.target.value })}
                  placeholder="预约保养"
                />
              </Form.Item>
              <Form.Item label={t('journeys.form.timeout')}>
                <DurationInput value={s.timeout} onChange={(timeout) => onPatch({ timeout })} />
              </Form.Item>
            </>
          )}
        </>
      );
    case 'condition':
      return (
        <Form.Item label={t('journeys.form.rule')} extra={t('journeys.form.ruleHint')}>
          <RuleBuilder
            value={s.rule as never}
            onChange={(rule) => onPatch({ rule })}
            tags={(p.tags.data?.items ?? []).filter((x) => x.object === 'profile')}
          />
        </Form.Item>
      );
    case 'random':
      return (
        <Form.Item label={t('journeys.form.variants')}>
          {s.variants.map((v, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a variant's key is what is being edited
            <Space key={i} style={{ display: 'flex', marginBottom: 4 }}>
              <Input
                value={v.key}
                style={{ width: 100 }}
                aria-label={t('journeys.form.variantKey')}
                onChange={(e) =>
                  onPatch({
                    variants: s.variants.map((x, j) => (j === i ? { ...x, key: e.target.value } : x)),
                  })
                }
              />
              <InputNumber
                min={1}
                max={100}
                value={v.weight}
                addonAfter={t('journeys.form.weight')}
                onChange={(w) =>
                  onPatch({
                    variants: s.variants.map((x, j) => (j === i ? { ...x, weight: Number(w) || 1 } : x)),
                  })
                }
              />
              {s.variants.length > 2 && (
                <Button onClick={() => onPatch({ variants: s.variants.filter((_, j) => j !== i) })}>
                  {t('journeys.form.remove')}
                </Button>
              )}
            </Space>
          ))}
          {s.variants.length < 10 && (
            <Button
              onClick={() =>
                onPatch({
                  variants: [...s.variants, { key: String.fromCharCode(97 + s.variants.length), weight: 50 }],
                })
              }
            >
              {t('journeys.form.addVariant')}
            </Button>
          )}
        </Form.Item>
      );
    case 'send': {
      const templates = (p.messageTemplates.data?.items ?? []).filter((x) => x.channel === s.channel);
      return (
        <>
          <Form.Item label={t('journeys.form.channel')}>
            <Select
              value={s.channel}
              data-testid="step-send-channel"
              onChange={(channel) => onPatch({ channel, templateId: undefined })}
              options={CHANNELS.map((c) => ({ value: c, label: t(`journeys.channel.${c}`) }))}
            />
          </Form.Item>
          <Form.Item label={t('journeys.form.purpose')}>
            <Radio.Group
              value={s.purpose}
              optionType="button"
              onChange={(e) => onPatch({ purpose: e.target.value })}
              options={(['marketing', 'service'] as const).map((x) => ({
                value: x,
                label: t(`journeys.form.purpose_${x}`),
              }))}
            />
          </Form.Item>
          <Form.Item
            label={t('journeys.form.template')}
            extra={templates.length ? undefined : t('journeys.form.noTemplate')}
          >
            <Select
              allowClear
              value={s.templateId}
              placeholder={t('journeys.form.templatePlaceholder')}
              onChange={(templateId) => onPatch({ templateId })}
              options={templates.map((x) => ({ value: x.id, label: x.name }))}
              data-testid="step-send-template"
            />
          </Form.Item>
          {!s.templateId && (
            <Form.Item label={t('journeys.form.text')} extra={t('journeys.form.textHint')}>
              <Input.TextArea
                autoSize={{ minRows: 3, maxRows: 8 }}
                value={s.content?.text ?? ''}
                onChange={(e) => onPatch({ content: { ...s.content, text: e.target.value } })}
                data-testid="step-send-text"
              />
            </Form.Item>
          )}
          <Form.Item label={t('journeys.form.coupon')} extra={t('journeys.form.couponHint')}>
            <Select
              allowClear
              value={s.couponTemplateId}
              placeholder={t('journeys.form.noCoupon')}
              onChange={(couponTemplateId) => onPatch({ couponTemplateId })}
              options={(p.couponTemplates.data?.items ?? []).map((x) => ({ value: x.id, label: x.name }))}
              data-testid="step-send-coupon"
            />
          </Form.Item>
          <Form.Item label={t('journeys.form.onSkip')}>
            <Radio.Group
              value={s.onSkip}
              onChange={(e) => onPatch({ onSkip: e.target.value })}
              options={(['continue', 'exit'] as const).map((x) => ({
                value: x,
                label: t(`journeys.form.skip_${x}`),
              }))}
            />
          </Form.Item>
        </>
      );
    }
    case 'task':
      return (
        <>
          <Form.Item label={t('journeys.form.taskTitle')} required>
            <Input
              value={s.title}
              onChange={(e) => onPatch({ title: e.target.value })}
              data-testid="step-task-title"
            />
          </Form.Item>
          <Form.Item label={t('journeys.form.taskBody')}>
            <Input.TextArea
              value={s.body ?? ''}
              onChange={(e) => onPatch({ body: e.target.value || undefined })}
            />
          </Form.Item>
        </>
      );
    case 'lead':
      return (
        <Form.Item label={t('journeys.form.leadTitle')} required extra={t('journeys.form.leadHint')}>
          <Input
            value={s.title}
            onChange={(e) => onPatch({ title: e.target.value })}
            data-testid="step-lead-title"
          />
        </Form.Item>
      );
    case 'tag':
      return (
        <>
          <Form.Item label={t('journeys.form.tagAction')}>
            <Radio.Group
              value={s.action}
              optionType="button"
              onChange={(e) => onPatch({ action: e.target.value })}
              options={(['add', 'remove'] as const).map((x) => ({
                value: x,
                label: t(`journeys.sum.tag_${x}`),
              }))}
            />
          </Form.Item>
          <Form.Item label={t('journeys.form.tag')} extra={t('journeys.form.tagHint')}>
            <Select
              showSearch
              optionFilterProp="label"
              value={s.tagId === '00000000-0000-0000-0000-000000000000' ? undefined : s.tagId}
              onChange={(tagId) => onPatch({ tagId })}
              options={(p.tags.data?.items ?? [])
                .filter((x) => x.object === 'profile' && x.kind === 'manual')
                .map((x) => ({ value: x.id, label: x.name }))}
              data-testid="step-tag"
            />
          </Form.Item>
        </>
      );
    case 'field':
      return (
        <>
          <Form.Item label={t('journeys.form.trait')} extra={t('journeys.form.traitHint')}>
            <Input value={s.trait} onChange={(e) => onPatch({ trait: e.target.value })} />
          </Form.Item>
          <Form.Item label={t('journeys.form.value')}>
            <Input
              value={s.value === null ? '' : String(s.value)}
              onChange={(e) => onPatch({ value: e.target.value })}
            />
          </Form.Item>
        </>
      );
    default:
      return null;
  }
}

/** The trigger of a journey as a form: segment, event, CRM change or manual; dates keep their fields. */
export function TriggerForm({
  value,
  onChange,
}: {
  value: Record<string, any>;
  onChange: (v: Record<string, any>) => void;
}) {
  const { t } = useTranslation();
  const p = usePickers(true);
  return (
    <>
      <Form.Item label={t('journeys.editor.trigger')}>
        <Select
          value={value.kind}
          data-testid="journey-trigger-kind"
          onChange={(kind) =>
            onChange(
              kind === 'segment'
                ? { kind, segmentId: undefined, on: 'enter' }
                : kind === 'event'
                  ? { kind, event: '', where: [] }
                  : kind === 'crm'
                    ? { kind, change: 'order.paid' }
                    : kind === 'date'
                      ? { kind, field: { trait: 'birthday' }, offsetDays: 0, yearly: true }
                      : { kind },
            )
          }
          options={['segment', 'event', 'date', 'crm', 'manual'].map((k) => ({
            value: k,
            label: t(`journeys.trigger.${k}`),
          }))}
        />
      </Form.Item>
      {value.kind === 'segment' && (
        <Space wrap>
          <Select
            style={{ minWidth: 220 }}
            showSearch
            optionFilterProp="label"
            placeholder={t('journeys.form.segment')}
            value={value.segmentId}
            onChange={(segmentId) => onChange({ ...value, segmentId })}
            options={(p.segments.data?.items ?? []).map((x) => ({ value: x.id, label: x.name }))}
            data-testid="journey-trigger-segment"
          />
          <Radio.Group
            value={value.on}
            optionType="button"
            onChange={(e) => onChange({ ...value, on: e.target.value })}
            options={(['enter', 'exit'] as const).map((x) => ({
              value: x,
              label: t(`journeys.form.on_${x}`),
            }))}
          />
        </Space>
      )}
      {value.kind === 'event' && (
        <Form.Item label={t('journeys.form.event')}>
          <Input value={value.event} onChange={(e) => onChange({ ...value, event: e.target.value })} />
        </Form.Item>
      )}
      {value.kind === 'crm' && (
        <Form.Item label={t('journeys.form.crm')}>
          <Select
            value={value.change}
            onChange={(change) => onChange({ ...value, change })}
            options={['lead.created', 'opportunity.stage_changed', 'order.paid'].map((c) => ({
              value: c,
              label: t(`journeys.crm.${c.replace('.', '_')}`),
            }))}
          />
        </Form.Item>
      )}
      {value.kind === 'date' && (
        <Space wrap>
          <Input
            style={{ width: 180 }}
            aria-label={t('journeys.form.trait')}
            value={value.field?.trait ?? ''}
            onChange={(e) => onChange({ ...value, field: { trait: e.target.value } })}
          />
          <InputNumber
            value={value.offsetDays}
            addonAfter={t('journeys.form.offsetDays')}
            onChange={(d) => onChange({ ...value, offsetDays: Number(d) || 0 })}
          />
          <Checkbox
            checked={!!value.yearly}
            onChange={(e) => onChange({ ...value, yearly: e.target.checked })}
          >
            {t('journeys.form.yearly')}
          </Checkbox>
        </Space>
      )}
    </>
  );
}
