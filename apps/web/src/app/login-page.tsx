import {
  CheckCircleFilled,
  LockOutlined,
  LoginOutlined,
  ShopOutlined,
  UserOutlined,
  WechatWorkOutlined,
} from '@ant-design/icons';
import type { SignInMethods } from '@kehu/contracts/auth';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button } from 'antd';
// The components alone: `Input` from 'antd' carries TextArea, Search and OTP as static members.
import Input from 'antd/es/input/Input';
import Password from 'antd/es/input/Password';
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { type Language, normalizeLanguage } from '../i18n';
import { ApiError, http, setCsrfToken } from '../shared/api-client';
import { errorMessage } from '../shared/error-message';
import { BrandMark } from './brand-mark';
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
    tenant:
      new URLSearchParams(window.location.search).get('tenant') || localStorage.getItem(TENANT_KEY) || 'demo',
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
  // A sign-in method (企业微信扫码登录 …) that could not finish sends the browser back here with a
  // code; translated at render, so switching the language translates it too. Gone once the form is used.
  const methodError = params.get('signInError');
  const [methodErrorOn, setMethodErrorOn] = useState(true);
  const methodErrorText =
    methodErrorOn && methodError && /^[a-z][a-z0-9-]*\.[a-z_]{1,40}$/.test(methodError)
      ? t(`login.signInError.${methodError}`, { defaultValue: t('login.signInError.generic') })
      : null;
  const shownError = error ?? methodErrorText;
  const [submitting, setSubmitting] = useState(false);
  const [mode, setMode] = useState<'signIn' | 'forgot' | 'sent'>('signIn');
  const [offer, setOffer] = useState<SignInMethods>({ items: [], demo: false });
  const lang = i18n.language === 'en-US' ? 'en-US' : 'zh-CN';

  // What the server offers for this tenant: extra sign-in methods, and whether this is a demo install.
  const tenantCode = values.tenant.trim().toLowerCase();
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      http
        .get<SignInMethods>('/auth/sign-in-methods', { tenant: tenantCode }, { skipAuthRedirect: true })
        .then((r) => {
          if (live) setOffer(r);
        })
        .catch(() => undefined);
    }, 300);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [tenantCode]);

  const onForgot = async (e: FormEvent) => {
    e.preventDefault();
    const missing = Object.fromEntries(
      (['tenant', 'login'] as Field[]).filter((f) => !values[f].trim()).map((f) => [f, required[f]]),
    );
    setFieldErrors(missing);
    if (Object.keys(missing).length) return;
    setSubmitting(true);
    setError(null);
    try {
      await http.post(
        '/auth/password-reset',
        { tenant: values.tenant, login: values.login },
        { skipAuthRedirect: true },
      );
      setMode('sent');
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 429
          ? t('login.rateLimited', { seconds: err.retryAfter ?? 60 })
          : errorMessage(err),
      );
    } finally {
      setSubmitting(false);
    }
  };
  const switchMode = (next: 'signIn' | 'forgot') => {
    setMode(next);
    setError(null);
    setFieldErrors({});
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const missing = Object.fromEntries(FIELDS.filter((f) => !values[f].trim()).map((f) => [f, required[f]]));
    setFieldErrors(missing);
    if (Object.keys(missing).length === 0) void signIn();
  };

  const signIn = async () => {
    setSubmitting(true);
    setError(null);
    setMethodErrorOn(false);
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
      <aside className="kehu-login-hero" data-testid="login-hero">
        <div className="kehu-login-hero-brand">
          <BrandMark size={44} />
          <h1 className="kehu-login-brand">{t('app.name')}</h1>
        </div>
        <p className="kehu-login-pitch">{t('login.pitch')}</p>
        <ul className="kehu-login-points">
          {(['point1', 'point2', 'point3'] as const).map((k) => (
            <li key={k}>
              <CheckCircleFilled />
              <span>{t(`login.${k}`)}</span>
            </li>
          ))}
        </ul>
        <p className="kehu-login-tagline">{t('app.tagline')}</p>
      </aside>
      <main className="kehu-login-main">
        <div className="kehu-login-card">
          <div className="kehu-login-topline">
            <LanguageLinks current={i18n.language as Language} />
          </div>
          {/* Plain elements styled like antd's Card and Typography: the first download carries only the form. */}
          <div className="kehu-login-panel">
            {mode === 'signIn' ? (
              <>
                <h2 className="kehu-login-title">{t('login.title')}</h2>
                <p className="kehu-login-subtitle">{t('login.subtitle')}</p>
              </>
            ) : (
              <>
                <h2 className="kehu-login-title">{t('login.forgotTitle')}</h2>
                <p className="kehu-login-subtitle">{t('login.forgotHint')}</p>
              </>
            )}
            {shownError && (
              <Alert
                type="error"
                showIcon
                message={shownError}
                style={{ marginBottom: 16 }}
                data-testid="login-error"
              />
            )}
            {mode === 'sent' ? (
              <>
                <Alert type="success" showIcon message={t('login.forgotSent')} data-testid="forgot-sent" />
                <Button
                  type="link"
                  onClick={() => switchMode('signIn')}
                  style={{ padding: 0, marginTop: 12 }}
                >
                  {t('login.backToSignIn')}
                </Button>
              </>
            ) : (
              <form
                onSubmit={mode === 'signIn' ? onSubmit : onForgot}
                noValidate
                data-testid={mode === 'signIn' ? 'login-form' : 'forgot-form'}
              >
                <LoginField id="login-tenant" label={t('login.tenant')} error={fieldErrors.tenant}>
                  <Input prefix={<ShopOutlined />} autoComplete="organization" {...fieldProps('tenant')} />
                </LoginField>
                <LoginField id="login-login" label={t('login.login')} error={fieldErrors.login}>
                  <Input
                    prefix={<UserOutlined />}
                    autoComplete="username"
                    autoFocus
                    {...fieldProps('login')}
                  />
                </LoginField>
                {mode === 'signIn' && (
                  <LoginField id="login-password" label={t('login.password')} error={fieldErrors.password}>
                    <Password
                      prefix={<LockOutlined />}
                      autoComplete="current-password"
                      {...fieldProps('password')}
                    />
                  </LoginField>
                )}
                <Button
                  type="primary"
                  htmlType="submit"
                  size="large"
                  block
                  loading={submitting}
                  data-testid={mode === 'signIn' ? 'login-submit' : 'forgot-submit'}
                >
                  {mode === 'signIn' ? t('login.submit') : t('login.forgotSubmit')}
                </Button>
                <div className="kehu-login-links">
                  <Button
                    type="link"
                    size="small"
                    onClick={() => switchMode(mode === 'signIn' ? 'forgot' : 'signIn')}
                    data-testid={mode === 'signIn' ? 'forgot-link' : 'back-to-sign-in'}
                  >
                    {mode === 'signIn' ? t('login.forgot') : t('login.backToSignIn')}
                  </Button>
                </div>
              </form>
            )}
            {mode === 'signIn' && offer.items.length > 0 && (
              <div className="kehu-login-methods" data-testid="sign-in-methods">
                <div className="kehu-login-divider">
                  <span>{t('login.otherMethods')}</span>
                </div>
                {offer.items.map((m) => (
                  <Button
                    key={m.key}
                    block
                    size="large"
                    icon={m.icon === 'wecom' ? <WechatWorkOutlined /> : <LoginOutlined />}
                    href={m.startUrl}
                    data-testid={`sign-in-method-${m.key}`}
                  >
                    {m.label[lang]}
                  </Button>
                ))}
              </div>
            )}
          </div>
          {offer.demo && mode === 'signIn' && (
            <div className="kehu-login-demo" data-testid="demo-hint">
              <div>
                <strong>{t('login.demoTitle')}</strong> · {t('login.demoHint')}
              </div>
              <Button
                size="small"
                onClick={() => {
                  setValues({ tenant: 'demo', login: 'admin', password: 'kehu-demo-2026' });
                  setFieldErrors({});
                }}
                data-testid="demo-fill"
              >
                {t('login.demoFill')}
              </Button>
            </div>
          )}
        </div>
      </main>
    </div>
  );
}
