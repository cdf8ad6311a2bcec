import { Button, type ButtonProps, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';

/**
 * A create (or other) button for a right the viewer may lack: without it the button stays in
 * place, disabled, and says why — "需要 分群管理 权限，请联系管理员" — rather than vanishing and
 * leaving people to wonder where "新建" went.
 */
export function PermissionButton({
  allowed,
  need,
  children,
  ...props
}: ButtonProps & {
  /** Whether the viewer holds the right (the caller asks the session: `can('cdp:manage')`). */
  allowed: boolean;
  /** The right as the administrator grants it, in the reader's words (e.g. 分群管理). */
  need: string;
}) {
  const { t } = useTranslation();
  if (allowed) return <Button {...props}>{children}</Button>;
  const reason = t('common.needPermission', { perm: need });
  const testId = (props as Record<string, unknown>)['data-testid'];
  return (
    <Tooltip title={reason}>
      {/* A disabled button fires no mouse events: the wrapper carries the tooltip (and the reason for screen readers). */}
      <span
        role="note"
        aria-label={reason}
        style={{ display: 'inline-block', cursor: 'not-allowed' }}
        data-testid={testId ? `${String(testId)}-locked` : 'permission-locked'}
        data-reason={reason}
      >
        <Button {...props} disabled onClick={undefined} style={{ ...props.style, pointerEvents: 'none' }}>
          {children}
        </Button>
      </span>
    </Tooltip>
  );
}
