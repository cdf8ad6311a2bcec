import { escapeHtml } from '../../../core/http/html.ts';

const LINK = /https?:\/\/[^\s<>"']+/g;

/** Text → HTML paragraphs with its (tracked) links as anchors. */
function paragraphs(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((p) => {
      let out = '';
      let last = 0;
      for (const m of p.matchAll(LINK)) {
        out += escapeHtml(p.slice(last, m.index));
        out += `<a href="${escapeHtml(m[0])}" style="color:#1677ff">${escapeHtml(m[0])}</a>`;
        last = m.index! + m[0].length;
      }
      out += escapeHtml(p.slice(last));
      return `<p style="margin:0 0 16px;line-height:1.6">${out.replace(/\n/g, '<br>')}</p>`;
    })
    .join('');
}

export interface EmailLayoutInput {
  subject: string;
  text: string;
  button?: { label: string; url: string } | null;
  footer?: { lead: string; label: string; url: string } | null;
  pixelUrl?: string | null;
}

/**
 * One small responsive layout (decision 0064: MJML's compiler pulls ~60 packages for a layout
 * this size): a 600 px single column that shrinks to the phone's width, table-based and with
 * inline styles because mail clients (Outlook, QQ Mail, 163) drop <style> and flexbox.
 */
export function emailHtml(i: EmailLayoutInput): string {
  const button = i.button
    ? `<table role="presentation" cellpadding="0" cellspacing="0" style="margin:8px 0 16px"><tr><td style="border-radius:6px;background:#1677ff">
<a href="${escapeHtml(i.button.url)}" style="display:inline-block;padding:12px 24px;color:#ffffff;text-decoration:none;font-weight:600">${escapeHtml(i.button.label)}</a>
</td></tr></table>`
    : '';
  const footer = i.footer
    ? `<p style="margin:24px 0 0;font-size:12px;color:#8c8c8c">${escapeHtml(i.footer.lead)} <a href="${escapeHtml(i.footer.url)}" style="color:#8c8c8c">${escapeHtml(i.footer.label)}</a></p>`
    : '';
  const pixel = i.pixelUrl
    ? `<img src="${escapeHtml(i.pixelUrl)}" width="1" height="1" alt="" style="display:block;border:0">`
    : '';
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(i.subject)}</title></head>
<body style="margin:0;padding:0;background:#f5f5f5">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f5f5f5"><tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff;border-radius:8px">
<tr><td style="padding:24px;font-family:-apple-system,'PingFang SC','Microsoft YaHei',Helvetica,Arial,sans-serif;font-size:15px;color:#262626">
${paragraphs(i.text)}${button}${footer}
</td></tr></table>${pixel}
</td></tr></table></body></html>`;
}
