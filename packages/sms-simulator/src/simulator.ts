import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SimAccount, SimSms, SmsReport } from './model.ts';
import { renderPage } from './page.ts';
import { signV1 } from './signature.ts';

export interface SmsSimulatorOptions {
  /** Push receipts by themselves (the demo); tests call flushReports() instead. */
  autoReport?: boolean;
  /** The clock (tests move it to pass flow-control windows). */
  now?: () => Date;
}

/** Aliyun's default flow control per phone number: 1 a minute, 5 an hour, 10 a day. */
const LIMITS: Array<{ ms: number; max: number; message: string }> = [
  { ms: 60_000, max: 1, message: '触发分钟级流控Permits:1' },
  { ms: 3_600_000, max: 5, message: '触发小时级流控Permits:5' },
  { ms: 86_400_000, max: 10, message: '触发天级流控Permits:10' },
];
const MOBILE = /^(?:\+?86)?1[3-9]\d{9}$/;
const pad = (n: number) => String(n).padStart(2, '0');
/** Aliyun writes Beijing time as `yyyy-MM-dd HH:mm:ss`. */
export function beijing(d: Date): string {
  const b = new Date(d.getTime() + 8 * 3_600_000);
  return `${b.getUTCFullYear()}-${pad(b.getUTCMonth() + 1)}-${pad(b.getUTCDate())} ${pad(b.getUTCHours())}:${pad(b.getUTCMinutes())}:${pad(b.getUTCSeconds())}`;
}

export class SmsSimulator {
  readonly accounts = new Map<string, SimAccount>();
  readonly messages: SimSms[] = [];
  /** Scripted carrier outcomes per phone: the next SMS to it fails with this err_code. */
  readonly failNext = new Map<string, string>();
  /** Scripted API answers: the next SendSms calls answer these (HTTP status, Code) instead of sending. */
  readonly answerNext: Array<{ status: number; code: string; message?: string }> = [];
  readonly reportLog: Array<{ url: string; status: number | null; count: number }> = [];
  private readonly nonces = new Set<string>();
  private server: Server | null = null;
  private timer: NodeJS.Timeout | null = null;
  url = '';
  readonly now: () => Date;
  private readonly opts: SmsSimulatorOptions;

  constructor(opts: SmsSimulatorOptions = {}) {
    this.opts = opts;
    this.now = opts.now ?? (() => new Date());
  }

  addAccount(a: Partial<SimAccount> & Pick<SimAccount, 'accessKeyId' | 'accessKeySecret'>): SimAccount {
    const acc: SimAccount = { signNames: [], templates: {}, ...a };
    this.accounts.set(acc.accessKeyId, acc);
    return acc;
  }

  messagesTo(phone: string): SimSms[] {
    const p = normalise(phone);
    return this.messages.filter((m) => m.phone === p);
  }

  async listen(host = '127.0.0.1', port = 0): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ Code: 'InternalError', Message: String(err?.message ?? err) }));
      });
    });
    await new Promise<void>((r) => this.server!.listen(port, host, r));
    const a = this.server.address() as AddressInfo;
    this.url = `http://${host}:${a.port}`;
    if (this.opts.autoReport)
      this.timer = setInterval(() => {
        this.deliverWaiting();
        void this.flushReports().catch(() => {});
      }, 1000);
    return this.url;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** The carrier answers: waiting messages become delivered (or fail as scripted). */
  deliverWaiting(): void {
    for (const m of this.messages)
      if (m.sendStatus === 1) {
        const fail = this.failNext.get(m.phone);
        if (fail) this.failNext.delete(m.phone);
        m.sendStatus = fail ? 2 : 3;
        m.errCode = fail ?? 'DELIVERED';
        m.reportedAt = this.now();
      }
  }

  /** Pushes every unpushed receipt to its account's report URL, one JSON array per account. */
  async flushReports(): Promise<number> {
    this.deliverWaiting();
    let pushed = 0;
    for (const acc of this.accounts.values()) {
      if (!acc.reportUrl) continue;
      const batch = this.messages.filter(
        (m) => m.accessKeyId === acc.accessKeyId && m.reportedAt && !m.reportPushed,
      );
      if (!batch.length) continue;
      const body: SmsReport[] = batch.map((m) => ({
        phone_number: m.phone,
        send_time: beijing(m.sentAt),
        report_time: beijing(m.reportedAt!),
        success: m.sendStatus === 3,
        err_code: m.errCode,
        err_msg: m.sendStatus === 3 ? '用户接收成功' : '用户接收失败',
        sms_size: String(Math.max(1, Math.ceil(m.content.length / 67))),
        biz_id: m.bizId,
        out_id: m.outId ?? '',
      }));
      let status: number | null = null;
      try {
        const r = await fetch(acc.reportUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        status = r.status;
        const answer = (await r.json().catch(() => null)) as { code?: number } | null;
        // Aliyun retries a push until the receiver answers {"code":0}.
        if (r.ok && answer?.code === 0) {
          for (const m of batch) m.reportPushed = true;
          pushed += batch.length;
        }
      } catch {
        status = null;
      }
      this.reportLog.push({ url: acc.reportUrl, status, count: batch.length });
    }
    return pushed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const body = await readBody(req);
    if (url.pathname.startsWith('/_sim/')) return this.scriptApi(req.method ?? 'GET', url, body, res);
    const params: Record<string, string> = Object.fromEntries(url.searchParams);
    if (req.method === 'POST' && body)
      for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params[k] = v;
    if (!params.Action) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(renderPage(this.messages, url.searchParams.get('phone')));
      return;
    }
    const requestId = randomUUID().toUpperCase();
    const reply = (status: number, o: Record<string, unknown>) => {
      res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
      res.end(JSON.stringify({ RequestId: requestId, ...o }));
    };
    const authError = this.authenticate(req.method ?? 'GET', params);
    if (authError) return reply(authError.status, { Code: authError.code, Message: authError.message });
    const acc = this.accounts.get(params.AccessKeyId!)!;
    if (params.Action === 'SendSms') return reply(200, this.sendSms(acc, params, requestId));
    if (params.Action === 'QuerySendDetails') return reply(200, this.queryDetails(acc, params));
    return reply(400, { Code: 'InvalidAction.NotFound', Message: 'Specified api is not found' });
  }

  private authenticate(method: string, p: Record<string, string>) {
    for (const k of ['AccessKeyId', 'Signature', 'SignatureNonce', 'Timestamp', 'SignatureMethod', 'Version'])
      if (!p[k])
        return { status: 400, code: 'MissingParameter', message: `${k} is mandatory for this action.` };
    const acc = this.accounts.get(p.AccessKeyId!);
    if (!acc)
      return {
        status: 404,
        code: 'InvalidAccessKeyId.NotFound',
        message: 'Specified access key is not found.',
      };
    if (p.SignatureMethod !== 'HMAC-SHA1')
      return { status: 400, code: 'InvalidParameter', message: 'SignatureMethod' };
    if (signV1(method, p, acc.accessKeySecret) !== p.Signature)
      return {
        status: 400,
        code: 'SignatureDoesNotMatch',
        message: 'Specified signature is not matched with our calculation.',
      };
    const ts = Date.parse(p.Timestamp!);
    if (!Number.isFinite(ts) || Math.abs(ts - this.now().getTime()) > 15 * 60_000)
      return {
        status: 400,
        code: 'InvalidTimeStamp.Expired',
        message: 'Specified time stamp or date value is expired.',
      };
    const nonceKey = `${p.AccessKeyId}:${p.SignatureNonce}`;
    if (this.nonces.has(nonceKey))
      return {
        status: 400,
        code: 'SignatureNonceUsed',
        message: 'Specified signature nonce was used already.',
      };
    this.nonces.add(nonceKey);
    return null;
  }

  private sendSms(acc: SimAccount, p: Record<string, string>, requestId: string): Record<string, unknown> {
    const scripted = this.answerNext.shift();
    if (scripted) return { Code: scripted.code, Message: scripted.message ?? scripted.code };
    const phones = (p.PhoneNumbers ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    if (!phones.length || phones.length > 1000 || phones.some((x) => !MOBILE.test(x)))
      return { Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: '非法手机号' };
    if (!p.SignName || !acc.signNames.includes(p.SignName))
      return { Code: 'isv.SMS_SIGNATURE_ILLEGAL', Message: '该账号下找不到对应签名' };
    const template = p.TemplateCode ? acc.templates[p.TemplateCode] : undefined;
    if (template === undefined)
      return { Code: 'isv.SMS_TEMPLATE_ILLEGAL', Message: '该账号下找不到对应模板' };
    let params: Record<string, unknown> = {};
    if (p.TemplateParam) {
      try {
        params = JSON.parse(p.TemplateParam);
      } catch {
        return { Code: 'isv.INVALID_JSON_PARAM', Message: 'JSON参数不合法，只接受字符串值' };
      }
      if (params === null || typeof params !== 'object' || Array.isArray(params))
        return { Code: 'isv.INVALID_JSON_PARAM', Message: 'JSON参数不合法，只接受字符串值' };
    }
    const needed = [...template.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!);
    const missing = needed.filter((n) => params[n] === undefined || params[n] === '');
    if (missing.length)
      return { Code: 'isv.TEMPLATE_MISSING_PARAMETERS', Message: `模板缺少变量: ${missing.join(',')}` };
    const now = this.now();
    for (const phone of phones.map(normalise)) {
      const sent = this.messages.filter((m) => m.accessKeyId === acc.accessKeyId && m.phone === phone);
      for (const l of LIMITS)
        if (sent.filter((m) => now.getTime() - m.sentAt.getTime() < l.ms).length >= l.max)
          return { Code: 'isv.BUSINESS_LIMIT_CONTROL', Message: l.message };
    }
    const bizId = `${Math.floor(now.getTime() / 1000)}${String(this.messages.length).padStart(6, '0')}^0`;
    const content = `【${p.SignName}】${template.replace(/\$\{(\w+)\}/g, (_m, n: string) => String(params[n]))}`;
    for (const phone of phones.map(normalise))
      this.messages.push({
        bizId,
        requestId,
        accessKeyId: acc.accessKeyId,
        phone,
        signName: p.SignName,
        templateCode: p.TemplateCode!,
        params: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])),
        content,
        outId: p.OutId ?? null,
        sentAt: now,
        sendStatus: 1,
        errCode: '',
        reportedAt: null,
        reportPushed: false,
      });
    return { Code: 'OK', Message: 'OK', BizId: bizId };
  }

  /** QuerySendDetails: one phone, one day (yyyyMMdd, Beijing), paged; OutId tells a caller its own SMS. */
  private queryDetails(acc: SimAccount, p: Record<string, string>): Record<string, unknown> {
    if (!p.PhoneNumber || !MOBILE.test(p.PhoneNumber))
      return { Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: '非法手机号' };
    if (!/^\d{8}$/.test(p.SendDate ?? '')) return { Code: 'isv.INVALID_PARAMETERS', Message: 'SendDate' };
    const pageSize = Math.min(Math.max(Number(p.PageSize ?? 10), 1), 50);
    const page = Math.max(Number(p.CurrentPage ?? 1), 1);
    const all = this.messages.filter(
      (m) =>
        m.accessKeyId === acc.accessKeyId &&
        m.phone === normalise(p.PhoneNumber!) &&
        beijing(m.sentAt).slice(0, 10).replace(/-/g, '') === p.SendDate &&
        (!p.BizId || m.bizId === p.BizId),
    );
    const items = all.slice((page - 1) * pageSize, page * pageSize).map((m) => ({
      PhoneNum: m.phone,
      SendStatus: m.sendStatus,
      ErrCode: m.errCode,
      TemplateCode: m.templateCode,
      Content: m.content,
      SendDate: beijing(m.sentAt),
      ReceiveDate: m.reportedAt ? beijing(m.reportedAt) : '',
      OutId: m.outId ?? '',
    }));
    return {
      Code: 'OK',
      Message: 'OK',
      TotalCount: all.length,
      SmsSendDetailDTOs: { SmsSendDetailDTO: items },
    };
  }

  /** The scriptable API tests and the demo drive: accounts, scripted failures, receipts, the inbox. */
  private async scriptApi(method: string, url: URL, body: Buffer | null, res: ServerResponse) {
    const json = (status: number, o: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(o));
    };
    const input = body?.length ? JSON.parse(body.toString('utf8')) : {};
    if (method === 'POST' && url.pathname === '/_sim/accounts') return json(201, this.addAccount(input));
    if (method === 'GET' && url.pathname === '/_sim/messages') {
      const phone = url.searchParams.get('phone');
      return json(200, { items: phone ? this.messagesTo(phone) : this.messages });
    }
    if (method === 'POST' && url.pathname === '/_sim/fail-next') {
      this.failNext.set(normalise(input.phone), input.errCode ?? 'MK:0001');
      return json(200, { ok: true });
    }
    if (method === 'POST' && url.pathname === '/_sim/answer-next') {
      this.answerNext.push({ status: 200, code: input.code, message: input.message });
      return json(200, { ok: true });
    }
    if (method === 'POST' && url.pathname === '/_sim/reports/flush')
      return json(200, { pushed: await this.flushReports() });
    return json(404, { error: 'not found' });
  }
}

/** Phones are kept as the 11-digit mainland number, as Aliyun reports them. */
export const normalise = (phone: string) => phone.replace(/^\+?86/, '');

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 1024 * 1024) reject(new Error('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length ? Buffer.concat(chunks) : null));
    req.on('error', reject);
  });
}
