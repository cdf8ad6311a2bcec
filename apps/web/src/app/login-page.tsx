import { LockOutlined, ShopOutlined, UserOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { normalizeLanguage } from '../i18n';
import { ApiError, http, setCsrfToken } from './api-client';
import { errorMessage } from './error-result';
import { LanguageSwitch } from './language-switch';
import { useChangeLanguage } from './locale';
import { ME_KEY } from './session';

interface LoginForm {
  tenant: string;
  login: string;
  password: string;
}

const TENANT_KEY = 'kehu.tenant';

export function LoginPage() {
  const { t } = useTranslation();
  const [form] = Form.useForm<LoginForm>();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const changeLanguage = useChangeLanguage();
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  const onFinish = async (values: LoginForm) => {
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
        form.setFields(
          e.problem.errors
            .filter((fe) => ['tenant', 'login', 'password'].includes(fe.field))
            .map((fe) => ({ name: fe.field as keyof LoginForm, errors: [fe.message] })),
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
            <Typography.Title level={3} style={{ margin: 0 }}>
              {t('app.name')}
            </Typography.Title>
          </div>
          <LanguageSwitch />
        </div>
        <Card>
          <Typography.Title level={4} style={{ marginTop: 0 }}>
            {t('login.title')}
          </Typography.Title>
          <Typography.Paragraph type="secondary">{t('login.subtitle')}</Typography.Paragraph>
          {error && (
            <Alert
              type="error"
              showIcon
              message={error}
              style={{ marginBottom: 16 }}
              data-testid="login-error"
            />
          )}
          <Form<LoginForm>
            form={form}
            layout="vertical"
            size="large"
            requiredMark={false}
            initialValues={{ tenant: localStorage.getItem(TENANT_KEY) || 'demo', login: '', password: '' }}
            onFinish={onFinish}
            data-testid="login-form"
          >
            <Form.Item
              name="tenant"
              label={t('login.tenant')}
              rules={[{ required: true, message: t('login.tenantRequired') }]}
            >
              <Input prefix={<ShopOutlined />} autoComplete="organization" data-testid="login-tenant" />
            </Form.Item>
            <Form.Item
              name="login"
              label={t('login.login')}
              rules={[{ required: true, message: t('login.loginRequired') }]}
            >
              <Input prefix={<UserOutlined />} autoComplete="username" autoFocus data-testid="login-login" />
            </Form.Item>
            <Form.Item
              name="password"
              label={t('login.password')}
              rules={[{ required: true, message: t('login.passwordRequired') }]}
            >
              <Input.Password
                prefix={<LockOutlined />}
                autoComplete="current-password"
                data-testid="login-password"
              />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={submitting} data-testid="login-submit">
              {t('login.submit')}
            </Button>
          </Form>
        </Card>
        <Typography.Paragraph type="secondary" style={{ textAlign: 'center', marginTop: 16, fontSize: 12 }}>
          {t('app.tagline')}
        </Typography.Paragraph>
      </div>
    </div>
  );
}
