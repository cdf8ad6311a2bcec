import type { Statement } from '@kehu/contracts/dealers';
import { openA4Pdf, pdfTableRow } from '../../core/documents/pdf.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { dt } from './dealers.messages.ts';

/** Fen → ¥1,234.56 (− for what lowers the dealer's balance). */
const money = (fen: number) =>
  `${fen < 0 ? '-' : ''}¥${(Math.abs(fen) / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/**
 * The statement as an A4 PDF: dealer, period, the summary (opening, movements by kind, closing),
 * every line with its confirmation state, and signature blocks. The creation date is the
 * statement's, so one statement always prints the same bytes.
 */
export async function statementPdf(s: Statement, locale: Locale): Promise<Buffer> {
  const T = (k: string) => dt(locale, k);
  const { doc, left, width, finish } = await openA4Pdf({
    Title: `${T('pdf_title')} ${s.dealerName ?? ''} ${s.period}`,
    CreationDate: new Date(s.createdAt),
  });
  const grey = '#666666';

  let y = doc.page.margins.top;
  doc.font('bold').fontSize(18).fillColor('#000').text(T('pdf_title'), left, y, { width, align: 'center' });
  y = doc.y + 10;
  const facts: [string, string][] = [
    [T('pdf_dealer'), s.dealerName ?? ''],
    [T('pdf_period'), s.period],
    [T('pdf_issued'), s.createdAt.slice(0, 10)],
  ];
  doc.fontSize(10);
  facts.forEach(([k, v], i) => {
    const x = left + (i % 3) * (width / 3);
    doc.font('body').fillColor(grey).text(`${k}：`, x, y, { continued: true });
    doc.fillColor('#000').text(v, { width: width / 3 - 8 });
  });
  y += 26;

  // Summary: opening, each kind of movement, closing (the identity the table's CHECK holds).
  doc.font('bold').fontSize(11).fillColor('#000').text(T('pdf_summary'), left, y);
  y = doc.y + 4;
  const summary: [string, number, boolean][] = [
    [T('opening'), s.opening, true],
    [T('k_order'), -s.orders, false],
    [T('k_payment'), s.payments, false],
    [T('k_rebate'), s.rebates, false],
    [T('k_pool_deduction'), s.deductions, false],
    [T('k_credit'), s.credits, false],
    [T('closing'), s.closing, true],
  ];
  const colW = width / 4;
  summary.forEach(([k, v, strong], i) => {
    const x = left + (i % 4) * colW;
    const yy = y + Math.floor(i / 4) * 18;
    doc
      .font(strong ? 'bold' : 'body')
      .fontSize(10)
      .fillColor(grey)
      .text(`${k}：`, x, yy, { continued: true });
    doc.fillColor('#000').text(money(v), { width: colW - 8 });
  });
  y += 40;
  doc.font('body').fontSize(8).fillColor(grey).text(T('pdf_identity'), left, y);
  y = doc.y + 8;

  const cols = [
    { key: T('col_date'), w: 70, align: 'left' as const },
    { key: T('col_kind'), w: 70, align: 'left' as const },
    { key: T('col_ref'), w: 0, align: 'left' as const },
    { key: T('col_amount'), w: 90, align: 'right' as const },
    { key: T('col_status'), w: 110, align: 'left' as const },
  ];
  cols[2]!.w = width - cols.reduce((a, c) => a + c.w, 0);
  const row = pdfTableRow(doc, cols, left, width);
  y = row(
    cols.map((c) => c.key),
    y,
    'bold',
    '#f0f5ff',
  );
  for (const l of s.lines) {
    if (y > doc.page.height - 140) {
      doc.addPage();
      y = doc.page.margins.top;
    }
    const state = [T(`s_${l.status}`), l.disputeReason, l.resolution].filter(Boolean).join('\n');
    y = row([l.at.slice(0, 10), T(`k_${l.kind}`), l.ref, money(l.amount), state], y, 'body');
  }

  y += 40;
  if (y > doc.page.height - 100) {
    doc.addPage();
    y = doc.page.margins.top;
  }
  doc.font('body').fontSize(10).fillColor('#000');
  doc.text(`${T('pdf_sign_hq')}：`, left, y, { width: width / 2 });
  doc.text(`${T('pdf_sign_dealer')}：`, left + width / 2, y, { width: width / 2 });
  return finish();
}
