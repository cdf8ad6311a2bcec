import type { SimSms } from './model.ts';

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const STATUS = { 1: '等待回执 waiting', 2: '失败 failed', 3: '已送达 delivered' } as const;

/** A small page: the phones that received SMS, and one phone's messages (newest first). */
export function renderPage(messages: SimSms[], phone: string | null): string {
  const phones = [...new Set(messages.map((m) => m.phone))];
  const shown = phone ? messages.filter((m) => m.phone === phone).reverse() : [];
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>短信模拟器 SMS simulator</title>
<style>body{font:14px/1.5 system-ui,sans-serif;margin:16px;max-width:720px}a{color:#1677ff}
li{margin:4px 0}.sms{border:1px solid #ddd;border-radius:8px;padding:8px 12px;margin:8px 0}
.meta{color:#666;font-size:12px}</style></head><body>
<h1>短信模拟器 <small>Aliyun Dysms SendSms</small></h1>
${
  phones.length
    ? `<p>收到短信的手机号 Phones (${phones.length})：</p><ul>${phones
        .map((p) => `<li><a href="?phone=${encodeURIComponent(p)}">${esc(p)}</a></li>`)
        .join('')}</ul>`
    : '<p>还没有短信。Kehu 发出的短信会显示在这里。No SMS yet.</p>'
}
${
  phone
    ? `<h2>${esc(phone)}</h2>${
        shown.length
          ? shown
              .map(
                (m) =>
                  `<div class="sms"><div>${esc(m.content)}</div><div class="meta">${esc(m.sentAt.toISOString())} · ${esc(
                    m.templateCode,
                  )} · ${STATUS[m.sendStatus]} · BizId ${esc(m.bizId)} · OutId ${esc(m.outId ?? '')}</div></div>`,
              )
              .join('')
          : '<p>这个号码没有短信。</p>'
      }`
    : ''
}
</body></html>`;
}
