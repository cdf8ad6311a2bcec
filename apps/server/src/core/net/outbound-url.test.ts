import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../config.ts';
import { outboundMessage } from './outbound.messages.ts';
import { parseAllowList } from './outbound-allow.ts';
import { checkOutboundUrl, guardedFetch, OutboundError, type Resolve } from './outbound-url.ts';
import { isPublicAddress } from './reserved-addresses.ts';

const none = parseAllowList('');

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as AddressInfo).port };
}

async function refusal(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (err) {
    assert.ok(err instanceof OutboundError, String(err));
    return err.code;
  }
  assert.fail('the request was not refused');
}

describe('outbound URL guard: what a saved URL may be', () => {
  const refused: [string, string][] = [
    ['http://127.0.0.1/', 'refused_private_address'],
    ['https://127.0.0.1/', 'refused_private_address'],
    ['https://169.254.169.254/latest/meta-data/', 'refused_private_address'],
    ['https://10.1.2.3/', 'refused_private_address'],
    ['https://172.16.0.1/', 'refused_private_address'],
    ['https://192.168.1.1/', 'refused_private_address'],
    ['https://100.64.0.1/', 'refused_private_address'],
    ['https://198.18.0.1/', 'refused_private_address'],
    ['https://224.0.0.1/', 'refused_private_address'],
    ['https://255.255.255.255/', 'refused_private_address'],
    ['http://0.0.0.0/', 'refused_private_address'],
    ['http://0/', 'refused_private_address'],
    ['http://2130706433/', 'refused_private_address'],
    ['http://0x7f000001/', 'refused_private_address'],
    ['http://017700000001/', 'refused_private_address'],
    ['http://127.1/', 'refused_private_address'],
    ['http://0x7f.1/', 'refused_private_address'],
    ['https://0177.0.0.1/', 'refused_private_address'],
    ['https://127.0.0.1./', 'refused_private_address'],
    ['https://127.0.0.1%2e/', 'refused_private_address'],
    ['https://①②⑦.0.0.1/', 'refused_private_address'],
    ['https://%6c%6f%63%61%6c%68%6f%73%74/', 'refused_private_address'],
    ['http://localhost/', 'refused_private_address'],
    ['https://LOCALHOST./', 'refused_private_address'],
    ['https://api.localhost/', 'refused_private_address'],
    ['http://[::1]/', 'refused_private_address'],
    ['https://[::]/', 'refused_private_address'],
    ['https://[::ffff:127.0.0.1]/', 'refused_private_address'],
    ['https://[::ffff:a9fe:a9fe]/', 'refused_private_address'],
    ['https://[64:ff9b::7f00:1]/', 'refused_private_address'],
    ['https://[fd00::1]/', 'refused_private_address'],
    ['https://[fe80::1]/', 'refused_private_address'],
    ['https://[ff02::1]/', 'refused_private_address'],
    ['https://[2001:db8::1]/', 'refused_private_address'],
    ['https://[2002:7f00:1::]/', 'refused_private_address'],
    ['http://hooks.example.com/', 'refused_scheme'],
    ['ftp://hooks.example.com/', 'refused_scheme'],
    ['file:///etc/passwd', 'refused_scheme'],
    ['gopher://hooks.example.com:70/_GET', 'refused_scheme'],
    ['javascript:alert(1)', 'refused_scheme'],
    ['https://hooks.example.com:25/', 'refused_port'],
    ['https://hooks.example.com:6/', 'refused_port'],
    ['https://user:pw@hooks.example.com/', 'invalid_url'],
    ['not a url', 'invalid_url'],
  ];
  for (const [url, code] of refused) {
    it(`refuses ${url} (${code})`, () => assert.equal(checkOutboundUrl(url, none), code));
  }

  it('accepts public https URLs; names are left to the check at request time', () => {
    for (const url of [
      'https://hooks.example.com/kehu',
      'https://hooks.example.com:8443/kehu?x=1',
      'https://1.1.1.1/',
      'https://[2606:4700:4700::1111]/',
      'https://[::ffff:8.8.8.8]/',
      'https://internal.corp/',
    ])
      assert.equal(checkOutboundUrl(url, none), null, url);
  });

  it('lets the operator allow-list reach listed hosts over http and at private addresses, nothing else', () => {
    const allow = parseAllowList('127.0.0.1:4010, sim.local, 10.20.0.0/16, [::1]:4011');
    assert.equal(checkOutboundUrl('http://127.0.0.1:4010/hook', allow), null);
    assert.equal(
      checkOutboundUrl('http://2130706433:4010/hook', allow),
      null,
      'same address, other spelling',
    );
    assert.equal(checkOutboundUrl('http://127.0.0.1:4012/hook', allow), 'refused_private_address');
    assert.equal(checkOutboundUrl('http://sim.local:9000/', allow), null);
    assert.equal(checkOutboundUrl('http://10.20.3.4/', allow), null);
    assert.equal(checkOutboundUrl('http://10.21.3.4/', allow), 'refused_private_address');
    assert.equal(checkOutboundUrl('http://[::1]:4011/', allow), null);
    assert.equal(checkOutboundUrl('http://[::1]:4010/', allow), 'refused_private_address');
    for (const bad of ['10.0.0.0/33', 'http://x/', 'a b', '1.2.3.4/x'])
      assert.throws(() => parseAllowList(bad), /KEHU_OUTBOUND_ALLOW/, bad);
    assert.throws(
      () => loadConfig({ KEHU_OUTBOUND_ALLOW: '10.0.0.0/33' }),
      /KEHU_OUTBOUND_ALLOW/,
      'a typo stops the start',
    );
  });

  it('classifies addresses, IPv4-mapped IPv6 by the IPv4 inside', () => {
    for (const a of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '[2a00:1450::1]'])
      assert.equal(isPublicAddress(a), true, a);
    for (const a of [
      '127.0.0.1',
      '0.0.0.0',
      '169.254.169.254',
      '192.0.0.8',
      '::',
      '::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '0:0:0:0:0:ffff:a00:1',
      '::127.0.0.1',
      '64:ff9b::a9fe:a9fe',
      'fc00::1',
      'fe80::1%eth0',
      'ff02::1',
      '2001::1',
      'not-an-ip',
    ])
      assert.equal(isPublicAddress(a), false, a);
  });

  it('says why in the caller language, without anything from the target', () => {
    assert.equal(outboundMessage('zh-CN', 'refused_private_address'), '已拒绝：私有地址');
    assert.equal(outboundMessage('en-US', 'refused_private_address'), 'refused: private address');
    assert.equal(outboundMessage('en-US', 'http_502'), 'the target server answered HTTP 502');
    assert.equal(outboundMessage('zh-CN', 'something else'), '投递失败');
  });
});

describe('outbound URL guard: requests', () => {
  const hits: { path: string; method: string; host: string | undefined; body: string }[] = [];
  let receiver: { server: Server; port: number };
  let redirector: { server: Server; port: number };
  let closedPort = 0;
  let redirectTo = '';
  let redirectStatus = 302;

  before(async () => {
    receiver = await listen((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        hits.push({ path: req.url ?? '', method: req.method ?? '', host: req.headers.host, body });
        if (req.url === '/big') res.end(Buffer.alloc(300_000, 'x'));
        else if (req.url === '/hang') res.flushHeaders();
        else res.writeHead(200, { 'x-internal': 'secret' }).end('internal data');
      });
    });
    redirector = await listen((req, res) => {
      req.resume();
      if (req.url === '/loop') res.writeHead(302, { location: '/loop' }).end();
      else res.writeHead(redirectStatus, { location: redirectTo }).end();
    });
    const closed = await listen(() => {});
    closedPort = closed.port;
    await new Promise((r) => closed.server.close(r));
  });
  after(() => {
    receiver.server.close();
    redirector.server.close();
  });

  const allowBoth = () => parseAllowList(`127.0.0.1:${receiver.port},127.0.0.1:${redirector.port}`);

  it('refuses a name when ANY of its addresses is private, and an unresolvable name', async () => {
    const to =
      (addresses: string[]): Resolve =>
      async () =>
        addresses;
    const allow = none;
    assert.equal(
      await refusal(guardedFetch('https://rebind.example/', {}, { resolve: to(['127.0.0.1']), allow })),
      'refused_private_address',
    );
    assert.equal(
      await refusal(
        guardedFetch('https://mixed.example/', {}, { resolve: to(['93.184.215.14', '10.0.0.1']), allow }),
      ),
      'refused_private_address',
    );
    assert.equal(
      await refusal(
        guardedFetch('https://v6.example/', {}, { resolve: to(['::ffff:169.254.169.254']), allow }),
      ),
      'refused_private_address',
    );
    assert.equal(
      await refusal(
        guardedFetch(
          'https://gone.example/',
          {},
          {
            resolve: async () => {
              throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
            },
            allow,
          },
        ),
      ),
      'dns_failed',
    );
    assert.equal(
      await refusal(guardedFetch('https://empty.example/', {}, { resolve: to([]), allow })),
      'dns_failed',
    );
  });

  it('connects to the address it checked, never asking DNS again (rebinding cannot win)', async () => {
    let lookups = 0;
    // First answer: the listed simulator; any later answer would be the metadata service.
    const resolve: Resolve = async () => (lookups++ === 0 ? ['127.0.0.1'] : ['169.254.169.254']);
    const allow = parseAllowList(`sim.test:${receiver.port}`);
    const res = await guardedFetch(
      `http://sim.test:${receiver.port}/pinned`,
      { method: 'POST', body: 'hi' },
      {
        resolve,
        allow,
      },
    );
    assert.equal(res.status, 200);
    assert.equal(lookups, 1);
    const hit = hits.find((h) => h.path === '/pinned');
    assert.equal(
      hit?.host,
      `sim.test:${receiver.port}`,
      'Host names the URL host, the socket the vetted address',
    );
    assert.equal(hit?.body, 'hi');
  });

  it('re-checks every redirect hop: to a private port or the metadata service is refused before connecting', async () => {
    const allow = allowBoth();
    const before = hits.length;
    redirectTo = `http://127.0.0.1:${closedPort}/`;
    assert.equal(
      await refusal(guardedFetch(`http://127.0.0.1:${redirector.port}/go`, {}, { allow })),
      'refused_private_address',
    );
    redirectTo = 'http://169.254.169.254/latest/meta-data/iam/security-credentials/';
    assert.equal(
      await refusal(guardedFetch(`http://127.0.0.1:${redirector.port}/go`, {}, { allow })),
      'refused_private_address',
    );
    redirectTo = `http://127.0.0.1:${receiver.port}/only-listed-target`;
    assert.equal(
      await refusal(
        guardedFetch(
          `http://127.0.0.1:${redirector.port}/go`,
          {},
          { allow: parseAllowList(`127.0.0.1:${redirector.port}`) },
        ),
      ),
      'refused_private_address',
    );
    assert.equal(hits.length, before, 'no refused hop was contacted');
  });

  it('follows allowed redirects as fetch does, up to the hop limit, or hands them back when told not to follow', async () => {
    const allow = allowBoth();
    redirectTo = `http://127.0.0.1:${receiver.port}/landed`;
    redirectStatus = 302;
    const res = await guardedFetch(
      `http://127.0.0.1:${redirector.port}/go`,
      { method: 'POST', body: 'x' },
      { allow },
    );
    assert.equal(res.status, 200);
    assert.equal(res.url, `http://127.0.0.1:${receiver.port}/landed`);
    assert.equal(hits.at(-1)?.method, 'GET', 'a 302 after a POST continues as GET');
    redirectStatus = 307;
    await guardedFetch(`http://127.0.0.1:${redirector.port}/go`, { method: 'POST', body: 'kept' }, { allow });
    assert.deepEqual([hits.at(-1)?.method, hits.at(-1)?.body], ['POST', 'kept']);
    const manual = await guardedFetch(
      `http://127.0.0.1:${redirector.port}/go`,
      {},
      { allow, maxRedirects: 0 },
    );
    assert.equal(manual.status, 307);
    assert.equal(
      await refusal(guardedFetch(`http://127.0.0.1:${redirector.port}/loop`, {}, { allow })),
      'too_many_redirects',
    );
  });

  it('caps the response size and the time, and reports a closed port without detail', async () => {
    const allow = parseAllowList(`127.0.0.1:${receiver.port},127.0.0.1:${closedPort}`);
    assert.equal(
      await refusal(
        guardedFetch(`http://127.0.0.1:${receiver.port}/big`, {}, { allow, maxResponseBytes: 100_000 }),
      ),
      'response_too_large',
    );
    assert.equal(
      await refusal(guardedFetch(`http://127.0.0.1:${receiver.port}/hang`, {}, { allow, timeoutMs: 200 })),
      'timeout',
    );
    assert.equal(
      await refusal(guardedFetch(`http://127.0.0.1:${closedPort}/`, {}, { allow })),
      'connect_failed',
    );
  });

  it('reads the operator allow-list from KEHU_OUTBOUND_ALLOW at each request', async () => {
    const saved = process.env.KEHU_OUTBOUND_ALLOW;
    try {
      delete process.env.KEHU_OUTBOUND_ALLOW;
      assert.equal(
        await refusal(guardedFetch(`http://127.0.0.1:${receiver.port}/env`)),
        'refused_private_address',
      );
      process.env.KEHU_OUTBOUND_ALLOW = `127.0.0.1:${receiver.port}`;
      assert.equal((await guardedFetch(`http://127.0.0.1:${receiver.port}/env`)).status, 200);
    } finally {
      if (saved === undefined) delete process.env.KEHU_OUTBOUND_ALLOW;
      else process.env.KEHU_OUTBOUND_ALLOW = saved;
    }
  });
});
