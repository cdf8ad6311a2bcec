import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { modules } from '../modules/index.ts';
import { defineModule } from './module.ts';
import { checkModuleList } from './module-loader.ts';

const label = { 'zh-CN': '测试', 'en-US': 'Test' };

describe('module contract', () => {
  it('refuses a module that comes before a module it requires', () => {
    const a = defineModule({ name: 'a', label, requires: ['b'] });
    const b = defineModule({ name: 'b', label });
    assert.throws(() => checkModuleList([a, b]), /a requires b, which must come earlier/);
    assert.doesNotThrow(() => checkModuleList([b, a]));
  });

  it('refuses a module listed twice and a permission declared by two modules', () => {
    const a = defineModule({ name: 'a', label, permissions: [{ key: 'a:manage', label }] });
    assert.throws(() => checkModuleList([a, a]), /listed twice/);
    const b = defineModule({ name: 'b', label, permissions: [{ key: 'a:manage', label }] });
    assert.throws(() => checkModuleList([a, b]), /a:manage declared by a and b/);
  });

  it('refuses a contribution to an extension point nobody declares', () => {
    const a = defineModule({ name: 'a', label, contributes: [{ point: 'nowhere', value: 1 }] });
    assert.throws(() => checkModuleList([a]), /unknown extension point nowhere/);
  });

  it('refuses names and permission keys that are not kebab-case / object:action', () => {
    assert.throws(() => defineModule({ name: 'Bad_Name', label }), /kebab-case/);
    assert.throws(
      () => defineModule({ name: 'a', label, permissions: [{ key: 'Manage', label }] }),
      /bad permission/,
    );
  });

  it('holds for the real module list: each labels its permissions in both languages', () => {
    assert.doesNotThrow(() => checkModuleList(modules));
    for (const m of modules) {
      assert.ok(m.label['zh-CN'] && m.label['en-US'], `${m.name} has a label in both languages`);
      for (const p of m.permissions ?? [])
        assert.ok(p.label['zh-CN'] && p.label['en-US'], `${p.key} has a label in both languages`);
    }
  });
});
