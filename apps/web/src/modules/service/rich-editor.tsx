import { BoldOutlined, ItalicOutlined, LinkOutlined, UnorderedListOutlined } from '@ant-design/icons';
import { Button, Space, Tooltip } from 'antd';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * The article editor: a contenteditable with a small toolbar (the same as materials', decision 0044). What it produces is
 * only a draft: the server keeps an allow-list of tags when it saves.
 */
export function RichEditor({ value, onChange }: { value?: string; onChange?: (html: string) => void }) {
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
    <Tooltip title={t(`service.editor.${key}`)}>
      <Button
        size="small"
        icon={icon}
        aria-label={t(`service.editor.${key}`)}
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
          {t('service.editor.h2')}
        </Button>
        {tool('ul', <UnorderedListOutlined />, () => run('insertUnorderedList'))}
        {tool('link', <LinkOutlined />, () => {
          const url = window.prompt(t('service.editor.linkPrompt'));
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
        aria-label={t('service.kb.body')}
        data-testid="kb-body-editor"
        data-placeholder={t('service.editor.placeholder')}
        onInput={() => onChange?.(ref.current?.innerHTML ?? '')}
        style={{ minHeight: 180, padding: 12, outline: 'none', lineHeight: 1.7 }}
      />
    </div>
  );
}
