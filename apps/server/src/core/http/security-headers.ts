import type { FastifyInstance } from 'fastify';

/**
 * The policy the built web app runs under. Scripts only from our own origin, so an injected
 * <script> or inline handler does nothing; styles also inline because antd's CSS-in-JS injects
 * <style> elements at run time (a nonce would need every page rendered per request); images
 * from data:/blob: for avatars, charts and exports; no plugins, no framing, no foreign forms.
 */
export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * A route that serves a page needing more than APP_CSP (say an API reference UI that
     * evaluates code) names its own policy here; null sends none.
     */
    contentSecurityPolicy?: string | null;
  }
}

/** Security headers on every response, API and web alike (JSON is harmless under them). */
export function registerSecurityHeaders(app: FastifyInstance, opts: { https: boolean }): void {
  app.addHook('onSend', async (req, reply) => {
    const csp = req.routeOptions.config?.contentSecurityPolicy;
    if (csp !== null) reply.header('content-security-policy', csp ?? APP_CSP);
    reply.header('x-frame-options', 'DENY');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    reply.header('cross-origin-opener-policy', 'same-origin');
    // Only when served over HTTPS (COOKIE_SECURE): HSTS on plain HTTP would strand local installs.
    if (opts.https) reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
  });
}
