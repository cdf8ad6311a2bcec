import { ArrowLeftOutlined } from '@ant-design/icons';
import { Button, Card, Col, Row, Skeleton, Typography } from 'antd';
import type { ReactNode } from 'react';
import { WhenVisible } from './when-visible';

/** One card of a person page; `lazy` ones render when scrolled near (below the fold). */
export interface PersonSection {
  key: string;
  title: ReactNode;
  /** Right of the title (a count, a button). */
  extra?: ReactNode;
  content: ReactNode;
  /** Render only when it comes near the viewport (a chart, a long timeline). */
  lazy?: boolean;
  /** The height the placeholder holds until it renders. */
  minHeight?: number;
  /** The content is a card of its own (a module's record panel): no card around it. */
  bare?: boolean;
}

/**
 * The one layout of a person in Kehu (issue 9 §2): a customer, and a profile that is not (yet)
 * a customer, read the same way — header, figures, then the main column (what the person did)
 * and the side column (who they are: tags, consents, identities). On a phone the columns stack,
 * main first.
 */
export function PersonLayout({
  testId,
  backLabel,
  onBack,
  title,
  subtitle,
  actions,
  figures,
  main,
  side,
}: {
  testId: string;
  backLabel: string;
  onBack: () => void;
  title: ReactNode;
  /** Under the title: owner, unit, tags … */
  subtitle?: ReactNode;
  actions?: ReactNode;
  /** A row of statistics under the header. */
  figures?: ReactNode;
  main: PersonSection[];
  side: PersonSection[];
}) {
  return (
    <div className="kehu-page" data-testid={testId}>
      <div className="kehu-page-header" style={{ alignItems: 'flex-start' }}>
        <div style={{ minWidth: 0 }}>
          <Button
            type="link"
            icon={<ArrowLeftOutlined />}
            onClick={onBack}
            style={{ padding: 0, height: 'auto' }}
          >
            {backLabel}
          </Button>
          <Typography.Title
            level={4}
            style={{ margin: '4px 0', wordBreak: 'break-word' }}
            data-testid="person-title"
          >
            {title}
          </Typography.Title>
          {subtitle}
        </div>
        {actions}
      </div>
      {figures}
      <Row gutter={[12, 12]}>
        <Col xs={24} lg={15}>
          {main.map((s) => (
            <SectionCard key={s.key} s={s} />
          ))}
        </Col>
        <Col xs={24} lg={9}>
          {side.map((s) => (
            <SectionCard key={s.key} s={s} />
          ))}
        </Col>
      </Row>
    </div>
  );
}

function SectionCard({ s }: { s: PersonSection }) {
  if (s.bare) return <div data-testid={`section-${s.key}`}>{s.content}</div>;
  const body = s.lazy ? <WhenVisible minHeight={s.minHeight ?? 160}>{s.content}</WhenVisible> : s.content;
  return (
    <Card
      size="small"
      title={s.title}
      extra={s.extra}
      style={{ marginBottom: 12 }}
      data-testid={`section-${s.key}`}
      styles={{ body: { overflowX: 'auto' } }}
    >
      {body}
    </Card>
  );
}

/** A section still loading: grey lines of about the height it will take. */
export const SectionSkeleton = ({ rows = 3 }: { rows?: number }) => (
  <Skeleton active title={false} paragraph={{ rows }} />
);
