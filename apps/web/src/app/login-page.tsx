import { LockOutlined, ShopOutlined, UserOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button } from 'antd';
// The components alone: `Input` from 'antd' carries TextArea, Search and OTP as static members.
import Input from 'antd/es/input/Input';
import Password from 'antd/es/input/Password';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { type Language, normalizeLanguage } from '../i18n';
import { ApiError, http, setCsrfToken } from '../shared/api-client';
import { errorMessage } from '../shared/error-message';
import { LanguageLinks } from './language-links';
import { useChangeLanguage } from './locale';
import { LoginField } from './login-field';
import { ME_KEY } from './session';

interface LoginForm {
  tenant: string;
  login: string;
  password: string;
}
type Field = keyof LoginForm;
const FIELDS: Field[] = ['tenant', 'login', 'password'];

const TENANT_KEY = 'kehu.tenant';

export function LoginPage() {
  const { t, i18n } = useTranslation();
  const [values, setValues] = useState<LoginForm>(() => ({
    tenant: localStorage.getItem(TENANT_KEY) || 'demo',
    login: '',
    password: '',
  }));
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, string>>>({});
  const required: Record<Field, string> = {
    tenant: t('login.tenantRequired'),
    login: t('login.loginRequired'),
    password: t('login.passwordRequired'),
  };
  const set = (field: Field) => (e: { target: { value: string } }) => {
    const value = e.target.value;
    setValues((v) => ({ ...v, [field]: value }));
    setFieldErrors((errs) => ({ ...errs, [field]: value.trim() ? undefined : required[field] }));
  };
  const fieldProps = (field: Field) => ({
    id: `login-${field}`,
    name: field,
    value: values[field],
    onChange: set(field),
    size: 'large' as const,
    status: fieldErrors[field] ? ('error' as const) : undefined,
    'aria-invalid': !!fieldErrors[field],
    'aria-describedby': fieldErrors[field] ? `login-${field}-error` : undefined,
    'data-testid': `login-${field}`,
  });
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const changeLanguage = useChangeLanguage();
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const missing = Object.fromEntries(FIELDS.filter((f) => !values[f].trim()).map((f) => [f, required[f]]));
    setFieldErrors(missing);
    if (Object.keys(missing).length === 0) void signIn();
  };

  const signIn = async () => {
    setSubmitting(true);
    setError(null);
    try {
      const res = await http.post<{ csrfToken: string; user?: { locale?: string } }>('/auth/login', values, {
        skipAuthRedirect: true,
      });
      setCsrfToken(res.csrfToken);
      localStorage.setItem(TENANT_KEY, values.tenant);
      const lang = normalizeLanguage(res.user?.locale);
      if (lang) await changeLanguage(lang);
      await qc.invalidateQueries({ queryKey: ME_KEY });
      const next = params.get('next');
      navigate(next?.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
    } catch (e) {
      if (e instanceof ApiError && e.status === 429) {
        setError(t('login.rateLimited', { seconds: e.retryAfter ?? 60 }));
      } else if (e instanceof ApiError && e.problem.errors?.length) {
        setFieldErrors(
          Object.fromEntries(
            e.problem.errors
              .filter((fe) => FIELDS.includes(fe.field as Field))
              .map((fe) => [fe.field, fe.message]),
          ),
        );
        setError(errorMessage(e));
      } else {
        setError(errorMessage(e));
      }
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <div className="kehu-login-wrap">
      <div className="kehu-login-card">
        <div
          style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', marginBottom: 16 }}
        >
          <div style={{ display: 'flex', alignItems: 'center', gap: 10 }}>
            <span className="kehu-nav-logo" style={{ padding: 0, height: 'auto' }}>
              <span className="kehu-logo-mark">客</span>
            </span>
            <h1 className="kehu-login-brand">{t('app.name')}</h1>
          </div>
          <LanguageLinks current={i18n.language as Language} />
        </div>
        {/* Plain elements styled like antd's Card and Typography: the first download carries only the form. */}
        <div className="kehu-login-panel">
          <h2 className="kehu-login-title">{t('login.title')}</h2>
          <p className="kehu-login-subtitle">{t('login.subtitle')}</p>
          {error && (
            <Alert
              type="error"
              showIcon
              message={error}
              style={{ marginBottom: 16 }}
              data-testid="login-error"
            />
          )}
          <form onSubmit={onSubmit} noValidate data-testid="login-form">
            <LoginField id="login-tenant" label={t('login.tenant')} error={fieldErrors.tenant}>
              <Input prefix={<ShopOutlined />} autoComplete="organization" {...fieldProps('tenant')} />
            </LoginField>
            <LoginField id="login-login" label={t('login.login')} error={fieldErrors.login}>
              <Input prefix={<UserOutlined />} autoComplete="username" autoFocus {...fieldProps('login')} />
            </LoginField>
            <LoginField id="login-password" label={t('login.password')} error={fieldErrors.password}>
              <Password
                prefix={<LockOutlined />}
                autoComplete="current-password"
                {...fieldProps('password')}
              />
            </LoginField>
            <Button
              type="primary"
              htmlType="submit"
              size="large"
              block
              loading={submitting}
              data-testid="login-submit"
            >
              {t('login.submit')}
            </Button>
          </form>
        </div>
        <p className="kehu-login-tagline">{t('app.tagline')}</p>
      </div>
    </div>
  );
}
