import type { QuoteSettings, QuoteTotals } from '@kehu/contracts/sales';
import { openA4Pdf, pdfTableRow } from '../../core/documents/pdf.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import type { LineOut } from './quote.service.ts';

/** The quote as printed: what the PDF and the customer's page show, nothing internal. */
export interface Printable {
  locale: Locale;
  company: QuoteSettings;
  name: string;
  revision: number;
  status: string;
  customerName: string;
  ownerName: string | null;
  date: string;
  /** Last change of the quote: the PDF's creation date, so one quote always prints the same bytes. */
  stamp: Date;
  validUntil: string | null;
  currency: string;
  lines: LineOut[];
  totals: QuoteTotals;
  notes: string | null;
}

const TEXT = {
  'zh-CN': {
    title: '报 价 单',
    no: '报价单',
    date: '报价日期',
    validUntil: '有效期至',
    customer: '客户',
    owner: '销售代表',
    product: '产品/服务',
    qty: '数量',
    unitPrice: '单价',
    discount: '折扣',
    tax: '税率',
    amount: '金额（含税）',
    subtotal: '产品小计',
    discountTotal: '折扣',
    taxTotal: '税额',
    total: '报价总额',
    inWords: '人民币大写',
    notes: '备注',
    terms: '条款',
    seller: '供方（盖章）',
    buyer: '需方（盖章）',
    sign: '签字',
    signDate: '日期',
    phone: '电话',
    email: '邮箱',
    draft: '草稿 · 未生效',
  },
  'en-US': {
    title: 'QUOTATION',
    no: 'Quote',
    date: 'Date',
    validUntil: 'Valid until',
    customer: 'Customer',
    owner: 'Sales representative',
    product: 'Product / service',
    qty: 'Qty',
    unitPrice: 'Unit price',
    discount: 'Discount',
    tax: 'Tax',
    amount: 'Amount (incl. tax)',
    subtotal: 'Subtotal',
    discountTotal: 'Discount',
    taxTotal: 'Tax',
    total: 'Total',
    inWords: 'In words (RMB)',
    notes: 'Notes',
    terms: 'Terms',
    seller: 'Seller (seal)',
    buyer: 'Buyer (seal)',
    sign: 'Signature',
    signDate: 'Date',
    phone: 'Tel',
    email: 'Email',
    draft: 'DRAFT · NOT VALID',
  },
} as const;

export const quoteText = (locale: Locale) => TEXT[locale === 'en-US' ? 'en-US' : 'zh-CN'];

export function money(fen: number, currency = 'CNY'): string {
  const s = (Math.abs(fen) / 100).toLocaleString('en-US', {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
  return `${fen < 0 ? '-' : ''}${currency === 'CNY' ? '¥' : `${currency} `}${s}`;
}

const pct = (n: number) => `${Number(n.toFixed(2))}%`;

/** 人民币大写 as on Chinese invoices: ¥12,345.60 → 壹万贰仟叁佰肆拾伍元陆角整. */
export function rmbInWords(fen: number): string {
  const digits = '零壹贰叁肆伍陆柒捌玖';
  const units = ['', '拾', '佰', '仟'];
  const big = ['', '万', '亿', '万亿'];
  if (fen === 0) return '零元整';
  const neg = fen < 0;
  const n = Math.abs(Math.round(fen));
  let yuan = Math.floor(n / 100);
  const jiao = Math.floor((n % 100) / 10);
  const fenD = n % 10;
  let out = '';
  let group = 0;
  let needZero = false;
  while (yuan > 0) {
    const part = yuan % 10000;
    let s = '';
    let zero = false;
    for (let i = 0; i < 4; i++) {
      const d = Math.floor(part / 10 ** i) % 10;
      if (d === 0) {
        if (s) zero = true;
      } else {
        s = digits[d]! + units[i]! + (zero ? '零' : '') + s;
        zero = false;
      }
    }
    if (part > 0) out = s + big[group]! + (needZero ? '零' : '') + out;
    needZero = part > 0 && part < 1000;
    yuan = Math.floor(yuan / 10000);
    group++;
  }
  out = out ? `${out}元` : '';
  if (jiao === 0 && fenD === 0) out += '整';
  else {
    if (jiao) out += `${digits[jiao]}角`;
    else if (out) out += '零';
    if (fenD) out += `${digits[fenD]}分`;
    else out += '整';
  }
  return (neg ? '负' : '') + out;
}

/** A4 quotation in the company's letterhead; pdfkit is loaded on first use (only this route needs it). */
export async function renderQuotePdf(p: Printable): Promise<Buffer> {
  const T = quoteText(p.locale);
  const { doc, left, width, finish } = await openA4Pdf({
    Title: `${p.name} v${p.revision}`,
    Author: p.company.companyName ?? p.company.tenantName,
    CreationDate: p.stamp,
  });
  const grey = '#666666';

  // Letterhead: logo, company name, address and contacts, a rule.
  let y = doc.page.margins.top;
  let textX = left;
  if (p.company.logo) {
    try {
      const data = Buffer.from(p.company.logo.split(',')[1] ?? '', 'base64');
      doc.image(data, left, y, { fit: [64, 48] });
      textX = left + 76;
    } catch {
      // An unreadable logo never stops the quote from printing.
    }
  }
  const company = p.company.companyName ?? p.company.tenantName;
  doc
    .font('bold')
    .fontSize(16)
    .fillColor('#000')
    .text(company, textX, y, { width: width - (textX - left) });
  const contact = [
    p.company.address,
    p.company.phone ? `${T.phone} ${p.company.phone}` : null,
    p.company.email ? `${T.email} ${p.company.email}` : null,
  ]
    .filter(Boolean)
    .join('  ·  ');
  if (contact)
    doc
      .font('body')
      .fontSize(9)
      .fillColor(grey)
      .text(contact, textX, doc.y + 2);
  y = Math.max(doc.y, p.company.logo ? y + 50 : doc.y) + 8;
  doc
    .moveTo(left, y)
    .lineTo(left + width, y)
    .lineWidth(1.2)
    .strokeColor('#1677ff')
    .stroke();

  // A quote not (or no longer) approved is printed for review only: say so across the page.
  if (!['approved', 'accepted'].includes(p.status)) {
    doc.save();
    doc.rotate(-30, { origin: [doc.page.width / 2, doc.page.height / 2] });
    doc
      .font('bold')
      .fontSize(54)
      .fillColor('#d9d9d9')
      .fillOpacity(0.5)
      .text(T.draft, 0, doc.page.height / 2 - 30, { width: doc.page.width, align: 'center' });
    doc.restore();
    doc.fillOpacity(1);
  }

  // Title and facts.
  y += 14;
  doc.font('bold').fontSize(20).fillColor('#000').text(T.title, left, y, { width, align: 'center' });
  y = doc.y + 10;
  const facts: [string, string][] = [
    [T.no, `${p.name}  v${p.revision}`],
    [T.customer, p.customerName],
    [T.date, p.date],
    [T.validUntil, p.validUntil ?? '—'],
    ...(p.ownerName ? ([[T.owner, p.ownerName]] as [string, string][]) : []),
  ];
  doc.fontSize(10);
  const half = width / 2;
  facts.forEach(([k, v], i) => {
    const x = left + (i % 2) * half;
    const yy = y + Math.floor(i / 2) * 18;
    doc.font('body').fillColor(grey).text(`${k}：`, x, yy, { continued: true });
    doc.fillColor('#000').text(v, { width: half - 8 });
  });
  y += Math.ceil(facts.length / 2) * 18 + 10;

  // Lines.
  const cols = [
    { key: '#', w: 24, align: 'left' as const },
    { key: T.product, w: 0, align: 'left' as const },
    { key: T.qty, w: 50, align: 'right' as const },
    { key: T.unitPrice, w: 78, align: 'right' as const },
    { key: T.discount, w: 48, align: 'right' as const },
    { key: T.tax, w: 40, align: 'right' as const },
    { key: T.amount, w: 90, align: 'right' as const },
  ];
  cols[1]!.w = width - cols.reduce((s, c) => s + c.w, 0);
  const row = pdfTableRow(doc, cols, left, width);
  y = row(
    cols.map((c) => c.key),
    y,
    'bold',
    '#f0f5ff',
  );
  for (const l of p.lines) {
    if (y > doc.page.height - 160) {
      doc.addPage();
      y = doc.page.margins.top;
    }
    y = row(
      [
        String(l.seq),
        l.description ? `${l.productName}\n${l.description}` : l.productName,
        String(l.quantity),
        money(l.unitPrice, p.currency),
        l.discountPercent ? pct(l.discountPercent) : '—',
        pct(l.taxRate),
        money(l.total, p.currency),
      ],
      y,
      'body',
    );
  }

  // Totals, right-aligned; the amount in words under a CNY total.
  y += 10;
  const totals: [string, string, boolean][] = [
    [T.subtotal, money(p.totals.subtotal, p.currency), false],
    [
      T.discountTotal,
      `${p.totals.discountTotal ? '-' : ''}${money(p.totals.discountTotal, p.currency)}`,
      false,
    ],
    [T.taxTotal, money(p.totals.taxTotal, p.currency), false],
    [T.total, money(p.totals.total, p.currency), true],
  ];
  for (const [k, v, strong] of totals) {
    doc
      .font(strong ? 'bold' : 'body')
      .fontSize(strong ? 12 : 10)
      .fillColor(strong ? '#000' : grey);
    doc.text(k, left + width - 260, y, { width: 120, align: 'right' });
    doc.fillColor('#000').text(v, left + width - 130, y, { width: 130, align: 'right' });
    y = doc.y + 4;
  }
  if (p.currency === 'CNY') {
    doc.font('body').fontSize(10).fillColor(grey);
    doc.text(`${T.inWords}：${rmbInWords(p.totals.total)}`, left, y, { width, align: 'right' });
    y = doc.y + 6;
  }

  // Notes and terms.
  for (const [k, v] of [
    [T.notes, p.notes],
    [T.terms, p.company.terms],
  ] as const) {
    if (!v) continue;
    if (y > doc.page.height - 200) {
      doc.addPage();
      y = doc.page.margins.top;
    }
    doc
      .font('bold')
      .fontSize(10)
      .fillColor('#000')
      .text(k, left, y + 6);
    doc
      .font('body')
      .fontSize(9)
      .fillColor('#333')
      .text(v, left, doc.y + 2, { width });
    y = doc.y + 4;
  }

  // Signature area: seller and buyer, seal, signature and date.
  if (y > doc.page.height - 150) {
    doc.addPage();
    y = doc.page.margins.top;
  }
  y += 24;
  const boxW = (width - 24) / 2;
  [
    [T.seller, company],
    [T.buyer, p.customerName],
  ].forEach(([who, name], i) => {
    const x = left + i * (boxW + 24);
    doc.rect(x, y, boxW, 96).lineWidth(0.8).strokeColor('#bfbfbf').stroke();
    doc
      .font('bold')
      .fontSize(10)
      .fillColor('#000')
      .text(who!, x + 10, y + 10, { width: boxW - 20 });
    doc
      .font('body')
      .fontSize(9)
      .fillColor('#333')
      .text(name!, x + 10, doc.y + 2, { width: boxW - 20 });
    doc.fillColor(grey).text(`${T.sign}：`, x + 10, y + 58);
    doc.text(`${T.signDate}：`, x + 10, y + 76);
  });
  return finish();
}
