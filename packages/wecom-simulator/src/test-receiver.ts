// A minimal callback receiver for the simulator's own tests: verifies the signature, decrypts, answers
// the URL check, records events. Kehu has its own; this one exists so the simulator is tested alone.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decrypt, parseFlatXml, signature } from './crypto.ts';

export interface Receiver {
  url: string;
  token: string;
  encodingAESKey: string;
  events: Array<Record<string, string>>;
  /** Called per request before answering; return a status or delay to misbehave. */
  behave: (n: number) => { status?: number; delayMs?: number } | undefined;
  requests: number;
  close(): Promise<void>;
}

export async function startReceiver(
  token = 'kehuTestToken',
  encodingAESKey = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
): Promise<Receiver> {
  const r: Receiver = {
    url: '',
    token,
    encodingAESKey,
    events: [],
    behave: () => undefined,
    requests: 0,
    close: async () => {},
  };
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const n = ++r.requests;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const u = new URL(req.url ?? '/', 'http://x');
    const q = Object.fromEntries(u.searchParams);
    const how = r.behave(n);
    if (how?.delayMs) await new Promise((ok) => setTimeout(ok, how.delayMs));
    const enc =
      req.method === 'GET' ? q.echostr : parseFlatXml(Buffer.concat(chunks).toString('utf8')).Encrypt;
    if (!enc || signature(token, q.timestamp, q.nonce, enc) !== q.msg_signature) {
      res.writeHead(401).end();
      return;
    }
    const { msg } = decrypt(encodingAESKey, enc);
    if (req.method === 'GET') {
      res.writeHead(200).end(msg);
      return;
    }
    if (how?.status && how.status !== 200) {
      res.writeHead(how.status).end();
      return;
    }
    r.events.push(parseFlatXml(msg));
    res.writeHead(200).end('success');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/wecom/callback`;
  r.close = () =>
    new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    });
  return r;
}
