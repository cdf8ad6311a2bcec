import { Tag, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import { businessTime, type SlaClock } from './service-api';

/** The SLA clock as a coloured badge: time left (or over) in business hours, paused, met. */
export function SlaBadge({ clock, withTarget = false }: { clock: SlaClock; withTarget?: boolean }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const time = businessTime(clock.minutesLeft ?? 0, lang);
  let color = 'default';
  let text = t('service.sla.none');
  if (clock.state === 'met') {
    color = 'green';
    text = t('service.sla.met');
  } else if (clock.state === 'breached') {
    color = 'red';
    text = clock.metAt
      ? t('service.sla.metLate')
      : (clock.minutesLeft ?? 0) < 0
        ? t('service.sla.over', { time })
        : t('service.sla.breached');
  } else if (clock.state === 'paused') {
    color = 'default';
    text = t('service.sla.paused', { time });
  } else if (clock.state === 'warning') {
    color = 'orange';
    text = t('service.sla.left', { time });
  } else if (clock.state === 'running') {
    color = 'blue';
    text = t('service.sla.left', { time });
  }
  const due = clock.dueAt ? new Date(clock.dueAt).toLocaleString(lang, { hour12: false }) : '';
  return (
    <Tooltip
      title={
        clock.dueAt
          ? `${t(`service.sla.${clock.target}`)} · ${t('service.sla.due', { at: due })} · ${t('service.sla.business')}`
          : undefined
      }
    >
      <Tag color={color} data-testid="sla-badge" data-state={clock.state}>
        {withTarget ? `${t(`service.sla.${clock.target}`)} ` : ''}
        {text}
      </Tag>
    </Tooltip>
  );
}
