import type { UserDisableCheckResult } from '@kehu/contracts/admin-user-disable';
import { App } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { http } from '../shared/api-client';

const TEXT = {
  'zh-CN': { title: '该用户仍有待转接的资源', ok: '立即转接', cancel: '稍后处理' },
  'en-US': { title: 'This user still holds things to hand over', ok: 'Transfer now', cancel: 'Later' },
};

/**
 * After a user is disabled, asks the modules (admin's `user-disable-check` extension point) what
 * the user still holds and, if anything, prompts the admin to hand it over. Nothing held → no prompt.
 */
export function useDisablePrompt() {
  const { modal } = App.useApp();
  const { i18n } = useTranslation();
  const navigate = useNavigate();
  return async (userId: string) => {
    const r = await http
      .get<UserDisableCheckResult>(`/admin/users/${userId}/disable-check`)
      .catch(() => null);
    const first = r?.items[0];
    if (!first) return;
    const text = TEXT[i18n.resolvedLanguage === 'en-US' ? 'en-US' : 'zh-CN'];
    modal.confirm({
      title: text.title,
      content: (
        <div data-testid="disable-prompt">
          {r.items.map((f) => (
            <p key={f.link}>{f.message}</p>
          ))}
        </div>
      ),
      okText: text.ok,
      cancelText: text.cancel,
      onOk: () => navigate(first.link),
    });
  };
}
