import { theme } from 'antd';
import type { CSSProperties, ReactNode } from 'react';

/**
 * Looks like antd's `Typography.Text` / `Typography.Title` for the plain cases, without its
 * ellipsis measuring, copy and edit machinery (≈10 KB gzipped) in the first chunks of every page:
 * the shell and the record list use these; pages that need copyable or multi-line ellipsis keep Typography.
 */
type Tone = 'secondary' | 'warning' | 'danger' | 'success';

interface TextProps {
  type?: Tone;
  strong?: boolean;
  /** One line, cut with "…", the full text as a tooltip. */
  ellipsis?: boolean;
  style?: CSSProperties;
  className?: string;
  children?: ReactNode;
  'data-testid'?: string;
}

const TONE_TOKEN = {
  secondary: 'colorTextDescription',
  warning: 'colorWarningText',
  danger: 'colorErrorText',
  success: 'colorSuccessText',
} as const;

const ELLIPSIS: CSSProperties = {
  display: 'inline-block',
  maxWidth: '100%',
  whiteSpace: 'nowrap',
  overflow: 'hidden',
  textOverflow: 'ellipsis',
  verticalAlign: 'bottom',
};

export function Text({ type, strong, ellipsis, style, className, children, ...rest }: TextProps) {
  const { token } = theme.useToken();
  const body = strong ? <strong style={{ fontWeight: token.fontWeightStrong }}>{children}</strong> : children;
  return (
    <span
      className={className}
      title={ellipsis && typeof children === 'string' ? children : undefined}
      style={{
        color: type ? token[TONE_TOKEN[type]] : token.colorText,
        wordBreak: 'break-word',
        lineHeight: token.lineHeight,
        ...(ellipsis ? ELLIPSIS : null),
        ...style,
      }}
      {...rest}
    >
      {body}
    </span>
  );
}

interface TitleProps {
  level?: 1 | 2 | 3 | 4 | 5;
  style?: CSSProperties;
  children?: ReactNode;
  'data-testid'?: string;
}

export function Title({ level = 1, style, children, ...rest }: TitleProps) {
  const { token } = theme.useToken();
  const H = `h${level}` as const;
  return (
    <H
      style={{
        marginBottom: '0.5em',
        color: token.colorTextHeading,
        fontWeight: token.fontWeightStrong,
        fontSize: token[`fontSizeHeading${level}`],
        lineHeight: token[`lineHeightHeading${level}`],
        wordBreak: 'break-word',
        ...style,
      }}
      {...rest}
    >
      {children}
    </H>
  );
}
