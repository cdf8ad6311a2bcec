// Starts Swagger UI on the /api/docs page. Loaded as a file because the page allows no inline script.
// "Try it out" calls go to this origin with the session cookie; mutating calls need the session's
// CSRF token, which /auth/me hands out to a signed-in browser (API-key calls set Authorization instead).
(() => {
  const root = document.getElementById('api-reference');
  const csrfToken = fetch('/api/v1/auth/me', { credentials: 'same-origin' })
    .then((res) => (res.ok ? res.json() : null))
    .then((me) => me?.csrfToken ?? null)
    .catch(() => null);

  window.ui = window.SwaggerUIBundle({
    url: root.dataset.specUrl,
    domNode: root,
    deepLinking: true,
    // The public validator badge would send the spec's URL to swagger.io.
    validatorUrl: null,
    presets: [window.SwaggerUIBundle.presets.apis],
    requestInterceptor: async (req) => {
      const mutating = !['GET', 'HEAD', 'OPTIONS'].includes(String(req.method).toUpperCase());
      if (mutating && !req.headers.Authorization) {
        const token = await csrfToken;
        if (token) req.headers['x-csrf-token'] = token;
      }
      return req;
    },
  });
})();
