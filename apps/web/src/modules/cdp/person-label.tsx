import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import type { PersonLabel } from './cdp-api';

/**
 * How a person reads wherever people are listed (issue 9 §2): the name (or a recognisable,
 * masked identity) the server chose, else "匿名访客 · 来自 官网 · 2026-11-03". Never an id.
 */
export function usePersonText() {
  const { t } = useTranslation();
  return (label: PersonLabel | null | undefined): string => {
    if (label?.name) return label.name;
    return [
      label && !label.anonymous ? t('cdp.person.visitor') : t('cdp.person.anonymous'),
      label?.source ? t('cdp.person.from', { source: label.source }) : null,
      label?.firstSeenAt ? dayjs(label.firstSeenAt).format('YYYY-MM-DD') : null,
    ]
      .filter(Boolean)
      .join(' · ');
  };
}

export function PersonName({ label }: { label: PersonLabel | null | undefined }) {
  const text = usePersonText();
  return <span data-testid="person-name">{text(label)}</span>;
}
