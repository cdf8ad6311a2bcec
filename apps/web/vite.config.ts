import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { chunkReport } from './build/chunk-report';
import { languageSplit } from './build/language-split';
import { precompress } from './build/precompress';
import { radioWithoutForm } from './build/radio-without-form';

const PURE_PACKAGES = /[\\/]node_modules[\\/](rc-field-form|@rc-component[\\/]async-validator)[\\/]/;

const FRAMEWORK =
  /[\\/]node_modules[\\/](react|react-dom|scheduler|react-router|@tanstack[\\/][^\\/]+|i18next|react-i18next)[\\/]/;

export default defineConfig({
  plugins: [languageSplit(), radioWithoutForm(), react(), precompress(), chunkReport()],
  server: {
    port: 5173,
    proxy: { '/api': { target: 'http://127.0.0.1:3000', changeOrigin: false } },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rolldownOptions: {
      treeshake: {
        // These packages run nothing on import but do not say so in package.json: without this,
        // antd's Input (which reads one context of rc-field-form) brings the whole form engine
        // and its validator into the login page.
        moduleSideEffects: (id) => (PURE_PACKAGES.test(id) ? false : undefined),
      },
      output: {
        codeSplitting: {
          groups: [
            // What every page runs first, in one long-cached file that changes only when a
            // dependency is upgraded (an app release leaves it in the browser's cache).
            { name: 'framework', test: FRAMEWORK, priority: 2 },
            // ECharts' renderer apart from its charts: two files fetched in parallel, both only
            // once a page draws a chart.
            { name: 'zrender', test: /[\\/]node_modules[\\/]zrender[\\/]/, priority: 1 },
          ],
        },
      },
    },
  },
});
