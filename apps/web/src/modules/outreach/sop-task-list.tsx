import { Button, Empty, List, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useCloseSopTask, useMySopTasks } from './outreach-api';

/**
 * My SOP tasks with one-tap done / send. The sidebar imports this with `target` (one customer or
 * group); `onSend` lets it send the script through WeCom's JS-SDK before the task is marked sent.
 */
export function SopTaskList(props: { target?: string; onSend?: (content: string) => Promise<void> }) {
  const { t, i18n } = useTranslation();
  const tasks = useMySopTasks(props.target);
  const close = useCloseSopTask();
  const items = tasks.data?.items ?? [];
  if (!tasks.isPending && items.length === 0)
    return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('outreach.sop.noTasks')} />;
  return (
    <List
      size="small"
      loading={tasks.isPending}
      dataSource={items}
      data-testid="sop-task-list"
      renderItem={(task) => (
        <List.Item
          actions={
            task.status === 'open'
              ? [
                  task.kind === 'send_text' ? (
                    <Button
                      key="send"
                      size="small"
                      type="primary"
                      onClick={async () => {
                        if (props.onSend) await props.onSend(task.content);
                        close.mutate({ id: task.id, how: 'sent' });
                      }}
                    >
                      {t('outreach.sop.send')}
                    </Button>
                  ) : (
                    <Button
                      key="done"
                      size="small"
                      onClick={() => close.mutate({ id: task.id, how: 'done' })}
                    >
                      {t('outreach.sop.done')}
                    </Button>
                  ),
                ]
              : [<Tag key="s">{t('outreach.sop.done')}</Tag>]
          }
        >
          <List.Item.Meta
            title={
              <Space wrap size={4}>
                <Tag>{t(`outreach.sop.kind_${task.kind}`)}</Tag>
                <span>{task.targetName ?? task.target ?? ''}</span>
                {task.overdue && <Tag color="red">{t('outreach.sop.overdue')}</Tag>}
              </Space>
            }
            description={
              <>
                <Typography.Text>{task.content}</Typography.Text>
                <br />
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t('outreach.sop.due')} {new Date(task.dueAt).toLocaleString(i18n.language)} ·{' '}
                  {task.ruleName}
                </Typography.Text>
              </>
            }
          />
        </List.Item>
      )}
    />
  );
}
