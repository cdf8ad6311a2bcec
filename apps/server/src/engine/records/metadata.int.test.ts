import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getTestEnv, newTenantWithAdmin, type TestEnv } from '../../testing/harness.ts';

describe('object metadata', () => {
  let env: TestEnv;
  before(async () => {
    env = await getTestEnv();
  });
  after(() => env.close());

  it('lists and describes objects, and runs a custom object and field through create, change and delete', async () => {
    const { admin } = await newTenantWithAdmin(env, 0);
    const objects = (await admin.get('/meta/objects')).body.items;
    assert.ok(objects.some((o: { apiName: string }) => o.apiName === 'customer'));
    const customer = await admin.get('/meta/objects/customer');
    assert.equal(customer.status, 200);
    assert.ok(customer.body.fields.some((f: { apiName: string }) => f.apiName === customer.body.nameField));

    const label = { 'zh-CN': '车辆', 'en-US': 'Vehicle' };
    assert.deepEqual((await admin.post('/meta/objects', { apiName: 'vehicle', label })).body, {
      apiName: 'vehicle',
    });
    const field = await admin.post('/meta/objects/vehicle/fields', {
      apiName: 'plate',
      type: 'text',
      label: { 'zh-CN': '车牌', 'en-US': 'Plate' },
    });
    assert.equal(field.status, 201);
    const renamed = await admin.patch(`/meta/objects/vehicle/fields/${field.body.apiName}`, {
      label: { 'zh-CN': '车牌号', 'en-US': 'Plate number' },
    });
    assert.equal(renamed.status, 200);
    const relabelled = await admin.patch('/meta/objects/vehicle', {
      pluralLabel: { 'zh-CN': '车辆', 'en-US': 'Vehicles' },
    });
    assert.equal(relabelled.status, 200);
    const vehicle = (await admin.get('/meta/objects/vehicle')).body;
    assert.equal(vehicle.pluralLabel['en-US'], 'Vehicles');
    const plate = vehicle.fields.find((f: { apiName: string }) => f.apiName === field.body.apiName);
    assert.equal(plate.label['en-US'], 'Plate number');
    assert.equal(plate.isCustom, true);
    assert.equal((await admin.del(`/meta/objects/vehicle/fields/${field.body.apiName}`)).status, 204);
    assert.equal((await admin.del('/meta/objects/vehicle')).status, 204);
  });

  it('answers region look-ups in the declared shape, provinces or the children of one', async () => {
    const { admin } = await newTenantWithAdmin(env, 0);
    const provinces = await admin.get('/meta/regions');
    assert.equal(provinces.status, 200);
    assert.ok(provinces.body.items.every((r: { level: number }) => r.level === 1));
    const children = await admin.get('/meta/regions?parent=110000');
    assert.equal(children.status, 200);
    assert.equal((await admin.get('/meta/regions?parent=beijing')).status, 422);
  });
});
