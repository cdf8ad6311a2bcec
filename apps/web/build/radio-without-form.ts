import type { Plugin } from 'vite';

const VIRTUAL = '\0kehu:antd-radio-name-path';

/**
 * antd's Radio.Group imports one two-line helper (`toNamePathStr`) from antd's Form `useForm`
 * module, and that module also holds Form's store (rc-field-form's useForm, scroll-into-view):
 * a module is never split between chunks, so every page with a radio (antd's Table has them, for
 * row selection and filters) downloaded ≈7 KB gzipped of form engine. This gives Radio.Group the
 * same helper from a module of its own; Form itself is untouched.
 */
export function radioWithoutForm(): Plugin {
  return {
    name: 'kehu-radio-without-form',
    enforce: 'pre',
    async resolveId(source, importer) {
      if (source === VIRTUAL) return VIRTUAL;
      if (
        source !== '../form/hooks/useForm' ||
        !importer?.replace(/\\/g, '/').endsWith('antd/es/radio/group.js')
      )
        return null;
      return VIRTUAL;
    },
    async load(id) {
      if (id !== VIRTUAL) return null;
      const util = await this.resolve('antd/es/form/util');
      if (!util) throw new Error('antd/es/form/util not found');
      // Same as antd/es/form/hooks/useForm.js toNamePathStr.
      return `import { toArray } from ${JSON.stringify(util.id)};\nexport function toNamePathStr(name) { return toArray(name).join('_'); }\n`;
    },
  };
}
