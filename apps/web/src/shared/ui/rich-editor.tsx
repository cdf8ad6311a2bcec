import { BoldOutlined, ItalicOutlined, LinkOutlined, UnorderedListOutlined } from '@ant-design/icons';
import { Button, Space, Tooltip } from 'antd';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * The article editor of materials and the knowledge base: a contenteditable with a small toolbar
 * (decision 0044). What it produces is only a draft: the server keeps an allow-list of tags when it
 * saves. The toolbar's words come from the module (`<keyPrefix>.bold|italic|h2|ul|link|linkPrompt|placeholder`).
 */
export function RichEditor({
  value,
  onChange,
  keyPrefix,
  label,
  testId,
}: {
  value?: string;
  onChange?: (html: string) => void;
  keyPrefix: string;
  label: string;
  testId: string;
}) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (ref.current && ref.current.innerHTML !== (value ?? '')) ref.current.innerHTML = value ?? '';
  }, [value]);
  const run = (cmd: string, arg?: string) => {
    ref.current?.focus();
    document.execCommand(cmd, false, arg);
    onChange?.(ref.current?.innerHTML ?? '');
  };
  const tool = (key: string, icon: React.ReactNode, act: () => void) => (
    <Tooltip title={t(`${keyPrefix}.${key}`)}>
      <Button
        size="small"
        icon={icon}
        aria-label={t(`${keyPrefix}.${key}`)}
        onMouseDown={(e) => e.preventDefault()}
        onClick={act}
      />
    </Tooltip>
  );
  return (
    <div style={{ border: '1px solid #d9d9d9', borderRadius: 8 }}>
      <Space wrap style={{ padding: 6, borderBottom: '1px solid #f0f0f0' }}>
        {tool('bold', <BoldOutlined />, () => run('bold'))}
        {tool('italic', <ItalicOutlined />, () => run('italic'))}
        <Button size="small" onMouseDown={(e) => e.preventDefault()} onClick={() => run('formatBlock', 'h2')}>
          {t(`${keyPrefix}.h2`)}
        </Button>
        {tool('ul', <UnorderedListOutlined />, () => run('insertUnorderedList'))}
        {tool('link', <LinkOutlined />, () => {
          const url = window.prompt(t(`${keyPrefix}.linkPrompt`));
          if (url && /^https?:\/\//i.test(url)) run('createLink', url);
        })}
      </Space>
      {/* biome-ignore lint/a11y/useSemanticElements: rich text cannot live in a textarea; role and label keep it accessible */}
      <div
        ref={ref}
        tabIndex={0}
        contentEditable
        suppressContentEditableWarning
        role="textbox"
        aria-multiline="true"
        aria-label={label}
        data-testid={testId}
        data-placeholder={t(`${keyPrefix}.placeholder`)}
        onInput={() => onChange?.(ref.current?.innerHTML ?? '')}
        style={{ minHeight: 180, padding: 12, outline: 'none', lineHeight: 1.7 }}
      />
    </div>
  );
}
