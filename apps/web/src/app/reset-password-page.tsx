import { LockOutlined } from '@ant-design/icons';
import { Alert, Button } from 'antd';
import Password from 'antd/es/input/Password';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import type { Language } from '../i18n';
import { ApiError, http } from '../shared/api-client';
import { errorMessage } from '../shared/error-message';
import { BrandMark } from './brand-mark';
import { LanguageLinks } from './language-links';
import { LoginField } from './login-field';

/** Where a reset link from the mail lands: set a new password (every session ends). */
export function ResetPasswordPage() {
  const { t, i18n } = useTranslation();
  const [params] = useSearchParams();
  const tenant = params.get('tenant') ?? '';
  const token = params.get('token') ?? '';
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<{ password?: string; confirm?: string }>({});
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const complete = !!tenant && !!token;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const next: typeof errors = {};
    if (password.length < 10 || !/[A-Za-z]/.test(password) || !/\d/.test(password))
      next.password = t('login.resetHint');
    if (confirm !== password) next.confirm = t('password.mismatch');
    setErrors(next);
    if (Object.keys(next).length) return;
    setSubmitting(true);
    setError(null);
    try {
      await http.post(
        '/auth/password-reset/confirm',
        { tenant, token, newPassword: password },
        { skipAuthRedirect: true },
      );
      setDone(true);
    } catch (err) {
      if (err instanceof ApiError && err.problem.errors?.some((f) => f.field === 'newPassword'))
        setErrors({ password: err.problem.errors.find((f) => f.field === 'newPassword')?.message });
      setError(errorMessage(err));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <div className="kehu-login-wrap">
      <aside className="kehu-login-hero">
        <div className="kehu-login-hero-brand">
          <BrandMark size={44} />
          <h1 className="kehu-login-brand">{t('app.name')}</h1>
        </div>
        <p className="kehu-login-pitch">{t('login.pitch')}</p>
      </aside>
      <main className="kehu-login-main">
        <div className="kehu-login-card">
          <div className="kehu-login-topline">
            <LanguageLinks current={i18n.language as Language} />
          </div>
          <div className="kehu-login-panel" data-testid="reset-panel">
            <h2 className="kehu-login-title">{t('login.resetTitle')}</h2>
            <p className="kehu-login-subtitle">{t('login.resetHint')}</p>
            {!complete && <Alert type="warning" showIcon message={t('login.resetBadLink')} />}
            {error && (
              <Alert
                type="error"
                showIcon
                message={error}
                style={{ marginBottom: 16 }}
                data-testid="reset-error"
              />
            )}
            {done ? (
              <Alert type="success" showIcon message={t('login.resetDone')} data-testid="reset-done" />
            ) : (
              complete && (
                <form onSubmit={submit} noValidate data-testid="reset-form">
                  <LoginField id="reset-password" label={t('password.new')} error={errors.password}>
                    <Password
                      id="reset-password"
                      size="large"
                      prefix={<LockOutlined />}
                      autoComplete="new-password"
                      value={password}
                      onChange={(e) => setPassword(e.target.value)}
                      data-testid="reset-password"
                    />
                  </LoginField>
                  <LoginField id="reset-confirm" label={t('password.confirm')} error={errors.confirm}>
                    <Password
                      id="reset-confirm"
                      size="large"
                      prefix={<LockOutlined />}
                      autoComplete="new-password"
                      value={confirm}
                      onChange={(e) => setConfirm(e.target.value)}
                      data-testid="reset-confirm"
                    />
                  </LoginField>
                  <Button
                    type="primary"
                    htmlType="submit"
                    size="large"
                    block
                    loading={submitting}
                    data-testid="reset-submit"
                  >
                    {t('login.resetSubmit')}
                  </Button>
                </form>
              )
            )}
            <div className="kehu-login-links">
              <Link to="/login" data-testid="reset-to-login">
                {t('login.backToSignIn')}
              </Link>
            </div>
          </div>
        </div>
      </main>
    </div>
  );
}
