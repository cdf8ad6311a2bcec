import { sql } from 'kysely';
import { newId } from '../../core/ids.ts';
import { marker } from '../../testing/fixtures.ts';
import { inSide, type ProbeKind } from '../../testing/probe-kit.ts';

/** Things this module's routes name, for the permission matrix (testing/probe-kinds.ts). */
export const probeKinds: Record<string, ProbeKind> = {
  /** A skipped attempt (nothing to deliver: probing it calls nobody outside). */
  messaging_message: {
    async create(side) {
      const m = marker('MM');
      const id = newId();
      await inSide(side, (tx) =>
        sql`insert into messaging_messages (tenant_id, id, idempotency_key, profile_id, channel, purpose, source_kind,
            source_id, status, reason, body)
          values (${side.dir.tenantId}, ${id}, ${m}, ${newId()}, 'in_app', 'service', 'manual', ${m}, 'skipped',
            'no_address', ${m})`.execute(tx),
      );
      return { id, marker: m };
    },
  },
  /** A finished send to a segment (probing its progress sends nothing). */
  messaging_bulk_send: {
    async create(side) {
      const m = marker('MB');
      const id = newId();
      await inSide(side, (tx) =>
        sql`insert into messaging_bulk_sends (tenant_id, id, template_id, segment_id, purpose, status, idempotency_key)
          values (${side.dir.tenantId}, ${id}, ${newId()}, ${newId()}, 'service', 'done', ${m})`.execute(tx),
      );
      return { id, marker: m };
    },
  },
  messaging_template: {
    async create(side) {
      const m = marker('MT');
      const id = newId();
      await inSide(side, (tx) =>
        sql`insert into messaging_templates (tenant_id, id, name, channel, body)
          values (${side.dir.tenantId}, ${id}, ${m}, 'sms', ${m})`.execute(tx),
      );
      return { id, marker: m };
    },
  },
};

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  headers: Record<string, string>;
  text: string;
  html: string;
}

const decodePart = (body: string, encoding: string) => {
  const e = encoding.toLowerCase();
  if (e === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (e === 'quoted-printable') {
    const bytes = body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
};

function headersOf(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

/** Enough MIME for tests: headers, and the text/plain and text/html parts decoded. */
export function parseMail(raw: string): Omit<ReceivedMail, 'from' | 'to' | 'raw'> {
  const split = raw.search(/\r?\n\r?\n/);
  const headers = headersOf(raw.slice(0, split));
  let text = '';
  let html = '';
  const walk = (hdrs: Record<string, string>, body: string) => {
    const type = hdrs['content-type'] ?? 'text/plain';
    const boundary = type.match(/boundary="?([^";]+)"?/)?.[1];
    if (boundary) {
      for (const part of body.split(`--${boundary}`).slice(1)) {
        if (part.startsWith('--')) break;
        const s = part.search(/\r?\n\r?\n/);
        walk(headersOf(part.slice(0, s)), part.slice(s).replace(/^\r?\n\r?\n/, ''));
      }
      return;
    }
    const decoded = decodePart(body, hdrs['content-transfer-encoding'] ?? '7bit');
    if (type.startsWith('text/html')) html += decoded;
    else if (type.startsWith('text/plain')) text += decoded;
  };
  walk(headers, raw.slice(split).replace(/^\r?\n\r?\n/, ''));
  return { headers, text, html };
}

/**
 * A real SMTP server (the `smtp-server` library) for messaging tests: what Kehu sends arrives in
 * `inbox`. Recipients named `gone…` are refused at RCPT with 550 (hard bounce), `busy…` get 451
 * once (soft bounce), and mail to `late…` is accepted and then bounced as an RFC 3464 DSN handed
 * to `onBounce` — what a mail server does when the mailbox disappears after it accepted.
 */
export async function startSmtpReceiver(onBounce?: (dsn: string) => void) {
  const { SMTPServer } = await import('smtp-server');
  const inbox: ReceivedMail[] = [];
  const busySeen = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    // No reverse DNS of 127.0.0.1 per connection: it would dominate every timing.
    disableReverseLookup: true,
    onRcptTo(address, _session, callback) {
      const a = address.address.toLowerCase();
      if (a.startsWith('gone')) {
        const err: any = new Error('5.1.1 mailbox unavailable');
        err.responseCode = 550;
        return callback(err);
      }
      if (a.startsWith('busy') && !busySeen.has(a)) {
        busySeen.add(a);
        const err: any = new Error('4.2.1 try again later');
        err.responseCode = 451;
        return callback(err);
      }
      callback();
    },
    onData(stream, session, callback) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (c: string) => {
        raw += c;
      });
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address);
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        inbox.push({ from, to, raw, ...parseMail(raw) });
        callback();
        const late = to.find((a) => a.toLowerCase().startsWith('late'));
        if (late && onBounce) {
          const head = raw.slice(0, raw.search(/\r?\n\r?\n/));
          onBounce(
            [
              `From: MAILER-DAEMON@mx.example.com`,
              `To: ${from}`,
              'Subject: Undelivered Mail Returned to Sender',
              'MIME-Version: 1.0',
              'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
              '',
              '--b1',
              'Content-Type: text/plain',
              '',
              'The mailbox does not exist.',
              '--b1',
              'Content-Type: message/delivery-status',
              '',
              'Reporting-MTA: dns; mx.example.com',
              '',
              `Final-Recipient: rfc822; ${late}`,
              'Action: failed',
              'Status: 5.1.1',
              '--b1',
              'Content-Type: text/rfc822-headers',
              '',
              head,
              '--b1--',
              '',
            ].join('\r\n'),
          );
        }
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as { port: number }).port;
  return { inbox, port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
