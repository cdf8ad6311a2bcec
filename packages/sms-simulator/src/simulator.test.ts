import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type SmsReport, SmsSimulator, signedParams, signV1 } from './index.ts';

let clock = new Date('2026-12-06T08:00:00Z');
const sim = new SmsSimulator({ now: () => clock });
const key = { accessKeyId: 'LTAItest', accessKeySecret: 'secret' };
const reports: SmsReport[][] = [];
const receiver = createServer((req, res) => {
  let b = '';
  req.on('data', (c) => {
    b += c;
  });
  req.on('end', () => {
    reports.push(JSON.parse(b));
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"code":0,"msg":"成功"}');
  });
});

async function call(action: string, business: Record<string, string>, k = key, method = 'POST') {
  const p = signedParams(method, action, business, k, randomUUID(), clock);
  const body = new URLSearchParams(p).toString();
  const r =
    method === 'POST'
      ? await fetch(`${sim.url}/`, {
          method,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body,
        })
      : await fetch(`${sim.url}/?${body}`);
  return { status: r.status, body: (await r.json()) as any };
}
const sms = (phone: string, params: Record<string, string> = { name: '王', code: '1234' }, extra = {}) =>
  call('SendSms', {
    PhoneNumbers: phone,
    SignName: '示例',
    TemplateCode: 'SMS_1',
    TemplateParam: JSON.stringify(params),
    OutId: 'out-1',
    ...extra,
  });

describe('SMS simulator (Aliyun Dysms)', () => {
  before(async () => {
    await sim.listen();
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    sim.addAccount({
      ...key,
      signNames: ['示例'],
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Aliyun's template placeholders
      templates: { SMS_1: '${name}您好，验证码${code}' },
      reportUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/report`,
    });
  });
  after(async () => {
    await sim.close();
    receiver.close();
  });

  it('signs like Aliyun’s documented example (signature v1, HMAC-SHA1)', () => {
    const p = {
      AccessKeyId: 'testId',
      Action: 'SendSms',
      Format: 'XML',
      OutId: '123',
      PhoneNumbers: '15300000001',
      RegionId: 'cn-hangzhou',
      SignName: '阿里云短信测试专用',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '45e25e9b-0a6f-4070-8c85-2956eda1b466',
      SignatureVersion: '1.0',
      TemplateCode: 'SMS_71390007',
      TemplateParam: '{"customer":"test"}',
      Timestamp: '2017-07-12T02:42:19Z',
      Version: '2017-05-25',
    };
    assert.equal(signV1('GET', p, 'testSecret'), 'zJDF+Lrzhj/ThnlvIToysFRq6t4=');
  });

  it('SendSms: OK with a BizId; the phone shows 【sign】 and the filled template', async () => {
    const r = await sms('13800138000');
    assert.equal(r.status, 200);
    assert.equal(r.body.Code, 'OK');
    assert.match(r.body.BizId, /\^0$/);
    const [m] = sim.messagesTo('13800138000');
    assert.equal(m!.content, '【示例】王您好，验证码1234');
    assert.equal(m!.outId, 'out-1');
  });

  it('flow control per number: 1 a minute, 5 an hour, 10 a day', async () => {
    const phone = '13900139000';
    assert.equal((await sms(phone)).body.Code, 'OK');
    const limited = await sms(phone);
    assert.equal(limited.body.Code, 'isv.BUSINESS_LIMIT_CONTROL');
    assert.match(limited.body.Message, /分钟级/);
    for (let i = 0; i < 4; i++) {
      clock = new Date(clock.getTime() + 61_000);
      assert.equal((await sms(phone)).body.Code, 'OK');
    }
    clock = new Date(clock.getTime() + 61_000);
    assert.match((await sms(phone)).body.Message, /小时级/);
    clock = new Date(clock.getTime() + 3_600_000);
    for (let i = 0; i < 5; i++) {
      clock = new Date(clock.getTime() + 61_000);
      assert.equal((await sms(phone)).body.Code, 'OK');
    }
    clock = new Date(clock.getTime() + 3_600_000);
    assert.match((await sms(phone)).body.Message, /天级/);
  });

  it('refuses illegal numbers, missing template parameters, unknown signs and templates', async () => {
    assert.equal((await sms('12345')).body.Code, 'isv.MOBILE_NUMBER_ILLEGAL');
    assert.equal((await sms('13700137000', { name: '王' })).body.Code, 'isv.TEMPLATE_MISSING_PARAMETERS');
    assert.equal(
      (await sms('13700137001', undefined, { SignName: '别人' })).body.Code,
      'isv.SMS_SIGNATURE_ILLEGAL',
    );
    assert.equal(
      (await sms('13700137002', undefined, { TemplateCode: 'SMS_X' })).body.Code,
      'isv.SMS_TEMPLATE_ILLEGAL',
    );
    assert.equal(
      (await sms('13700137003', undefined, { TemplateParam: '{' })).body.Code,
      'isv.INVALID_JSON_PARAM',
    );
  });

  it('authenticates: unknown key, wrong secret, reused nonce, stale timestamp', async () => {
    const unknown = await sms('13600136000', undefined, {}).then(() =>
      call('SendSms', { PhoneNumbers: '13600136001' }, { accessKeyId: 'nobody', accessKeySecret: 'x' }),
    );
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.Code, 'InvalidAccessKeyId.NotFound');
    const wrong = await call('SendSms', { PhoneNumbers: '13600136002' }, { ...key, accessKeySecret: 'nope' });
    assert.equal(wrong.body.Code, 'SignatureDoesNotMatch');
    const p = signedParams('GET', 'SendSms', { PhoneNumbers: '13600136003' }, key, 'fixed-nonce', clock);
    await fetch(`${sim.url}/?${new URLSearchParams(p)}`);
    const again = await fetch(`${sim.url}/?${new URLSearchParams(p)}`);
    assert.equal(((await again.json()) as any).Code, 'SignatureNonceUsed');
    const old = signedParams('GET', 'SendSms', {}, key, randomUUID(), new Date(clock.getTime() - 3_600_000));
    assert.equal(
      ((await (await fetch(`${sim.url}/?${new URLSearchParams(old)}`)).json()) as any).Code,
      'InvalidTimeStamp.Expired',
    );
  });

  it('pushes SmsReport receipts as a JSON batch with out_id; scripted carrier failures', async () => {
    await fetch(`${sim.url}/_sim/fail-next`, {
      method: 'POST',
      body: JSON.stringify({ phone: '13500135000', errCode: 'MK:0001' }),
    });
    clock = new Date(clock.getTime() + 86_400_000);
    assert.equal((await sms('13500135000', undefined, { OutId: 'fail-me' })).body.Code, 'OK');
    assert.equal((await sms('13500135001', undefined, { OutId: 'ok-me' })).body.Code, 'OK');
    reports.length = 0;
    await sim.flushReports();
    const all = reports.flat();
    const failed = all.find((x) => x.out_id === 'fail-me')!;
    assert.deepEqual([failed.success, failed.err_code], [false, 'MK:0001']);
    const ok = all.find((x) => x.out_id === 'ok-me')!;
    assert.deepEqual([ok.success, ok.err_code, ok.phone_number], [true, 'DELIVERED', '13500135001']);
    reports.length = 0;
    assert.equal(await sim.flushReports(), 0, 'a receipt is pushed once');
  });

  it('QuerySendDetails finds a number’s SMS of a day with their OutId', async () => {
    const day = new Date(clock.getTime() + 8 * 3_600_000).toISOString().slice(0, 10).replace(/-/g, '');
    const r = await call('QuerySendDetails', {
      PhoneNumber: '13500135001',
      SendDate: day,
      PageSize: '10',
      CurrentPage: '1',
    });
    assert.equal(r.body.Code, 'OK');
    assert.equal(r.body.SmsSendDetailDTOs.SmsSendDetailDTO[0].OutId, 'ok-me');
    assert.equal(r.body.SmsSendDetailDTOs.SmsSendDetailDTO[0].SendStatus, 3);
  });

  it('lists received messages per phone on a page', async () => {
    const page = await (await fetch(`${sim.url}/?phone=13800138000`)).text();
    assert.match(page, /【示例】王您好，验证码1234/);
  });
});
