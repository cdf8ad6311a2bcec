import type { ReactNode } from 'react';

/**
 * A labelled field with its error below, in antd's vertical form look. The login page uses it
 * instead of antd's Form, whose field store, validator and tooltips would double the JavaScript a
 * browser downloads before it can sign in.
 */
export function LoginField({
  id,
  label,
  error,
  children,
}: {
  id: string;
  label: string;
  error?: string | null;
  children: ReactNode;
}) {
  return (
    <div className={`kehu-login-field${error ? ' kehu-login-field-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {error ? (
        <div className="kehu-login-field-message" role="alert" id={`${id}-error`}>
          {error}
        </div>
      ) : null}
    </div>
  );
}
