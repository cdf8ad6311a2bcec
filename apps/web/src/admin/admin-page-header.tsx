import { Typography } from 'antd';
import type { ReactNode } from 'react';

export function AdminPageHeader({
  title,
  extra,
  description,
}: {
  title: ReactNode;
  extra?: ReactNode;
  description?: ReactNode;
}) {
  return (
    <>
      <div className="kehu-page-header" style={{ marginBottom: description ? 4 : 16 }}>
        <Typography.Title level={4}>{title}</Typography.Title>
        {extra}
      </div>
      {description && <Typography.Paragraph type="secondary">{description}</Typography.Paragraph>}
    </>
  );
}
