import fs from 'node:fs';
import PDFDocument from 'pdfkit';

/**
 * Printable documents of the approvals (E8): qualification certificate, filing certificate,
 * tender filing form, rectification notice. One A4 layout — a framed page with the title, the
 * document number, a table of label/value rows, free paragraphs, the issuer and date, and a
 * seal — filled with Chinese text in an embedded CJK font (PDFKit subsets the font, so a
 * certificate is some tens of kilobytes and prints the same on any machine).
 */
export interface DocumentSpec {
  title: string;
  number: string;
  /** Printed under the title, e.g. the document kind's legal basis. */
  subtitle?: string;
  rows: Array<[label: string, value: string]>;
  paragraphs?: string[];
  issuer: string;
  /** YYYY-MM-DD, printed in Chinese form. */
  issuedOn: string;
}

/** Where a CJK font is found: CJK_FONT_PATH (with CJK_FONT_NAME for a collection), else Debian's fonts-noto-cjk. */
const CANDIDATES: Array<{ path: string; name?: string }> = [
  { path: '/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc', name: 'NotoSerifCJKsc-Regular' },
  { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', name: 'NotoSansCJKsc-Regular' },
  { path: '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc', name: 'WenQuanYiZenHei' },
];

export function cjkFont(env: NodeJS.ProcessEnv = process.env): { path: string; name?: string } {
  if (env.CJK_FONT_PATH) return { path: env.CJK_FONT_PATH, name: env.CJK_FONT_NAME || undefined };
  const found = CANDIDATES.find((c) => fs.existsSync(c.path));
  if (!found) throw new Error('No CJK font found for certificates: install fonts-noto-cjk or set CJK_FONT_PATH (and CJK_FONT_NAME for a .ttc)');
  return found;
}

export function chineseDate(isoDate: string): string {
  const [y, m, d] = isoDate.slice(0, 10).split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

export function renderDocumentPdf(spec: DocumentSpec): Promise<Buffer> {
  const font = cjkFont();
  // A fixed creation date (the issue date) keeps the bytes of a re-rendered document stable.
  const doc = new PDFDocument({ size: 'A4', margin: 60, info: { Title: `${spec.title} ${spec.number}`, Author: spec.issuer, CreationDate: new Date(`${spec.issuedOn}T00:00:00+08:00`) } });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('cjk', font.path, font.name);
  doc.font('cjk');

  const { width, height } = doc.page;
  doc
    .lineWidth(3)
    .strokeColor('#8b0000')
    .rect(28, 28, width - 56, height - 56)
    .stroke();
  doc
    .lineWidth(1)
    .rect(36, 36, width - 72, height - 72)
    .stroke();

  doc
    .fillColor('#000')
    .fontSize(11)
    .text(`编号：${spec.number}`, 60, 56, { width: width - 120, align: 'right' });
  doc.fontSize(26).text(spec.title, 60, 110, { width: width - 120, align: 'center', characterSpacing: 4 });
  let y = 160;
  if (spec.subtitle) {
    doc
      .fontSize(11)
      .fillColor('#444')
      .text(spec.subtitle, 60, y, { width: width - 120, align: 'center' });
    y += 30;
  }
  doc.fillColor('#000');
  y += 10;
  const labelWidth = 130;
  for (const [label, value] of spec.rows) {
    doc.fontSize(13);
    const h = Math.max(doc.heightOfString(value || '—', { width: width - 140 - labelWidth }), 18);
    doc.text(label, 80, y, { width: labelWidth });
    doc.text(value || '—', 80 + labelWidth, y, { width: width - 160 - labelWidth });
    y += h + 12;
    doc
      .lineWidth(0.5)
      .strokeColor('#bbb')
      .moveTo(80, y - 6)
      .lineTo(width - 80, y - 6)
      .stroke();
  }
  y += 10;
  for (const p of spec.paragraphs ?? []) {
    doc.fontSize(12).text(p, 80, y, { width: width - 160, lineGap: 4 });
    y = doc.y + 10;
  }

  // Issuer, date and a seal (a red ring with the issuer's name) at the foot of the page.
  const footY = height - 210;
  const sealX = width - 170;
  doc
    .lineWidth(2.5)
    .strokeColor('#c00000')
    .circle(sealX, footY + 20, 58)
    .stroke();
  doc
    .fillColor('#c00000')
    .fontSize(12)
    .text('★', sealX - 8, footY + 10, { width: 16, align: 'center' });
  doc.fontSize(9).text(spec.issuer, sealX - 52, footY + 34, { width: 104, align: 'center' });
  doc
    .fillColor('#000')
    .fontSize(13)
    .text(spec.issuer, 60, footY + 80, { width: width - 140, align: 'right' });
  doc.text(chineseDate(spec.issuedOn), 60, footY + 104, { width: width - 140, align: 'right' });
  doc.end();
  return done;
}
