import * as fontkit from 'fontkit';
import type { Knex } from 'knex';
import { allocateDocumentNumber } from '../../lib/approvals/document-numbers';
import { cjkFont, renderDocumentPdf } from '../../lib/approvals/pdf';
import { freshTestDatabase } from '../helpers/db';
import { readPdf } from './pdf-text';

/**
 * Number rules (E8) and the printable documents, without a workflow: numbers follow the rule
 * a process gives and count per kind and period; a PDF carries its Chinese text in an embedded
 * CJK font whose source has a glyph for every character.
 */
describe('approval documents', () => {
  let db: Knex;
  beforeAll(async () => {
    ({ db } = await freshTestDatabase({ seed: false, suffix: '_docs' }));
  });
  afterAll(async () => {
    await db?.destroy();
  });

  it('numbers by the rule, one counter per kind and rendered prefix', async () => {
    const year = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();
    const next = (pattern: string, kind: string, district: string | null) => db.transaction((trx) => allocateDocumentNumber(trx, pattern, kind, district));
    expect(await next('SZWYZZ-{yyyy}-{seq:5}', 'qualification_certificate', null)).toBe(`SZWYZZ-${year}-00001`);
    expect(await next('SZWYZZ-{yyyy}-{seq:5}', 'qualification_certificate', null)).toBe(`SZWYZZ-${year}-00002`);
    expect(await next('WYBA-{district}-{yyyy}-{seq:3}', 'contract_filing', '320508')).toBe(`WYBA-320508-${year}-001`);
    expect(await next('WYBA-{district}-{yyyy}-{seq:3}', 'contract_filing', '320505')).toBe(`WYBA-320505-${year}-001`);
    expect(await next('WYBA-{district}-{yyyy}-{seq:3}', 'contract_filing', '320508')).toBe(`WYBA-320508-${year}-002`);
    await expect(next('证书{seq}', 'x', null)).rejects.toThrow(/invalid/);
  });

  it.each([
    [
      '物业服务企业资质证书',
      [
        ['企业名称', '苏州东吴物业管理有限公司'],
        ['资质等级', '二级'],
      ],
    ],
    [
      '物业服务合同备案证明',
      [
        ['物业项目', '平江新村（GS0001）'],
        ['合同编号', 'DW-HT-2026-018'],
      ],
    ],
    [
      '物业管理招标备案表',
      [
        ['招标项目', '金鸡湖花园'],
        ['投标保证金', '50000.00 元'],
      ],
    ],
    [
      '整改通知书',
      [
        ['整改事项', '消防通道堵塞，限期七日内清理完毕'],
        ['整改期限', '2026年12月31日'],
      ],
    ],
  ] as Array<[string, Array<[string, string]>]>)('prints %s with its Chinese text in an embedded font', async (title, rows) => {
    const bytes = await renderDocumentPdf({ title, number: 'TEST-2026-00001', rows, paragraphs: ['特此证明。'], issuer: '苏州市住房和城乡建设局', issuedOn: '2026-11-23' });
    const pdf = readPdf(bytes);
    expect(pdf.fonts.length).toBeGreaterThan(0);
    expect(pdf.fonts.every((f) => /^[A-Z]{6}\+Noto(Sans|Serif)CJK/.test(f))).toBe(true);
    expect(pdf.embeddedFontPrograms).toBeGreaterThan(0);
    expect(pdf.unmappedCodes).toBe(0);
    for (const text of [title, 'TEST-2026-00001', ...rows.flat(), '苏州市住房和城乡建设局', '2026年11月23日']) expect(pdf.text).toContain(text);

    // The font the PDF embeds has real glyphs (not .notdef) for every character printed.
    const { path, name } = cjkFont();
    const collection = fontkit.openSync(path) as unknown as { fonts?: Array<{ postscriptName: string }> };
    const font = (name && collection.fonts ? collection.fonts.find((f) => f.postscriptName === name) : collection) as unknown as { glyphForCodePoint(cp: number): { id: number } };
    const missing = [...new Set([...title, ...rows.flat().join('')])].filter((ch) => font.glyphForCodePoint(ch.codePointAt(0)!).id === 0);
    expect(missing).toEqual([]);
  });
});
