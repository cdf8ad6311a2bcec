import type { WorkOrder } from '@kehu/contracts/field-service';
import { escapeHtml as esc } from '../../../core/http/html.ts';

const fmt = (s: string | null) =>
  s ? new Date(s).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false }) : '—';

/**
 * The completion report (服务完工报告): one printable page — the visit, the GPS check-in/out with
 * its distance to the address, parts, notes, photos and the customer's signature. Print to PDF
 * from the browser; photos and the signature load from the same signed-in session.
 */
export function completionReport(w: WorkOrder, apiBase: string): string {
  const photo = (id: string) =>
    `<img src="${apiBase}/field-service/work-orders/${esc(w.id)}/photos/${esc(id)}" alt="现场照片">`;
  const parts = w.parts.length
    ? `<table><thead><tr><th>配件</th><th>数量</th></tr></thead><tbody>${w.parts
        .map((x) => `<tr><td>${esc(x.name)}</td><td>${x.qty}</td></tr>`)
        .join('')}</tbody></table>`
    : '<p class="muted">未使用配件</p>';
  const dist = (m: number | null) => (m === null ? '' : `（距客户地址 ${m} 米）`);
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>服务完工报告 ${esc(w.number)}</title>
<style>body{font:14px/1.6 -apple-system,"PingFang SC","Noto Sans SC",sans-serif;color:#1f2329;max-width:760px;margin:0 auto;padding:24px 16px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:15px;margin:20px 0 8px;border-bottom:1px solid #e5e6eb;padding-bottom:4px}
dl{display:grid;grid-template-columns:7em 1fr;gap:4px 12px;margin:0}dt{color:#6b7280}dd{margin:0}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #e5e6eb;padding:4px 8px;text-align:left}
.photos{display:flex;flex-wrap:wrap;gap:8px}.photos img{width:160px;height:120px;object-fit:cover;border-radius:4px}
.sig{border:1px solid #e5e6eb;max-width:320px;display:block}.muted{color:#6b7280}@media print{body{padding:0}}</style></head>
<body data-testid="fs-report"><h1>服务完工报告</h1><p class="muted">${esc(w.number)} · 工单 ${esc(w.ticketNumber ?? '')}</p>
<h2>服务信息</h2><dl><dt>服务内容</dt><dd>${esc(w.subject ?? '')}</dd><dt>技能 / 区域</dt><dd>${esc(w.skill)} / ${esc(w.area)}</dd>
<dt>客户</dt><dd>${esc(w.customerName ?? '')} ${esc(w.customerPhone ?? '')}</dd><dt>地址</dt><dd>${esc(w.address)}</dd>
<dt>工程师</dt><dd>${esc(w.technicianName)}</dd><dt>预约时段</dt><dd>${fmt(w.startsAt)} – ${fmt(w.endsAt).slice(-8)}</dd>
<dt>签到</dt><dd>${fmt(w.checkInAt)}${dist(w.checkInDistanceM)}</dd><dt>签退</dt><dd>${fmt(w.checkOutAt)}${dist(w.checkOutDistanceM)}</dd>
<dt>工单状态</dt><dd>${w.ticketClosed ? '已关闭' : '待服务台关闭'}</dd></dl>
<h2>使用配件</h2>${parts}
<h2>处理说明</h2><p>${esc(w.notes ?? '—')}</p>
<h2>现场照片</h2>${w.photos.length ? `<div class="photos">${w.photos.map(photo).join('')}</div>` : '<p class="muted">无</p>'}
<h2>客户签字</h2>${
    w.hasSignature
      ? `<img class="sig" src="${apiBase}/field-service/work-orders/${esc(w.id)}/signature.png" alt="客户签字"><p>签字人：${esc(w.signedBy ?? '')}</p>`
      : '<p class="muted">未签字</p>'
  }</body></html>`;
}
