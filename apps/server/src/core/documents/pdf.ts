import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/**
 * Noto Sans SC (SIL OFL) from an npm package: no download at run time. pdfkit embeds only the
 * glyphs a document uses (a TrueType subset, /FontFile2), so a one-page document stays ~20 KB.
 */
const FONTS = {
  regular: require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf'),
  bold: require.resolve('@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf'),
};

type Doc = InstanceType<typeof import('pdfkit')>;

export interface A4Pdf {
  doc: Doc;
  /** The page's left margin and the width between the margins. */
  left: number;
  width: number;
  /** Ends the document and resolves with its bytes. */
  finish(): Promise<Buffer>;
}

/**
 * An A4 document with fonts `body` and `bold` (CJK) registered. A fixed `CreationDate` keeps the
 * bytes the same for the same content (a quote revision, a statement).
 */
export async function openA4Pdf(info: {
  Title: string;
  Author?: string;
  CreationDate: Date;
}): Promise<A4Pdf> {
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({ size: 'A4', margin: 48, info });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  doc.registerFont('body', FONTS.regular);
  doc.registerFont('bold', FONTS.bold);
  const left = doc.page.margins.left;
  return {
    doc,
    left,
    width: doc.page.width - left - doc.page.margins.right,
    async finish() {
      doc.end();
      await ended;
      return Buffer.concat(chunks);
    },
  };
}

export interface PdfColumn {
  key: string;
  w: number;
  align: 'left' | 'right' | 'center';
}

/**
 * A table row writer: cells wrap inside their column, the row is as tall as its tallest cell,
 * an optional background fill, a hairline below. Returns the y below the row.
 */
export function pdfTableRow(doc: Doc, cols: PdfColumn[], left: number, width: number) {
  return (cells: string[], yy: number, font: 'body' | 'bold', fill?: string): number => {
    doc.font(font).fontSize(9);
    const h = Math.max(...cells.map((c, i) => doc.heightOfString(c, { width: cols[i]!.w - 8 }))) + 8;
    if (fill) doc.rect(left, yy, width, h).fill(fill);
    let x = left;
    cells.forEach((c, i) => {
      doc.fillColor('#000').text(c, x + 4, yy + 4, { width: cols[i]!.w - 8, align: cols[i]!.align });
      x += cols[i]!.w;
    });
    doc
      .moveTo(left, yy + h)
      .lineTo(left + width, yy + h)
      .lineWidth(0.5)
      .strokeColor('#d9d9d9')
      .stroke();
    return yy + h;
  };
}
