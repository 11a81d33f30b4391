import zlib from 'node:zlib';

/**
 * A small, dependency-free reading of the PDFs PDFKit writes, enough to check a certificate:
 * the fonts it embeds, and the text its pages draw, decoded through each font's ToUnicode CMap.
 *
 * What this proves: the page content shows exactly these characters with glyph codes of an
 * embedded font (not a reference to a system font the printer may lack), and no character was
 * drawn as the missing glyph (code 0, .notdef). What it does not prove: how the glyphs look —
 * that the embedded outlines are the right shapes is the font's business (the test also asks
 * fontkit whether the source font has a glyph for every character).
 */
export interface PdfFacts {
  /** BaseFont names, e.g. "ABCDEF+NotoSerifCJKsc-Regular". */
  fonts: string[];
  /** Font programs embedded (FontFile, FontFile2, FontFile3 streams). */
  embeddedFontPrograms: number;
  /** The text drawn, in drawing order, without spacing between runs. */
  text: string;
  /** Glyph codes drawn that are 0 (.notdef) or have no Unicode mapping. */
  unmappedCodes: number;
}

function streams(pdf: Buffer): Array<{ dict: string; data: Buffer }> {
  const out: Array<{ dict: string; data: Buffer }> = [];
  const latin = pdf.toString('latin1');
  const re = /<<((?:[^<>]|<<(?:[^<>]|<<[^<>]*>>)*>>|<[^<>]*>)*)>>\s*stream\r?\n/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(latin))) {
    const start = m.index + m[0].length;
    const end = latin.indexOf('endstream', start);
    let raw = pdf.subarray(start, end);
    if (raw[raw.length - 1] === 0x0a) raw = raw.subarray(0, raw.length - 1);
    if (raw[raw.length - 1] === 0x0d) raw = raw.subarray(0, raw.length - 1);
    const dict = m[1];
    let data = raw;
    if (/\/FlateDecode/.test(dict)) {
      try {
        data = zlib.inflateSync(raw);
      } catch {
        continue;
      }
    }
    out.push({ dict, data });
  }
  return out;
}

/** bfchar and bfrange entries of a ToUnicode CMap. */
function parseCMap(text: string, into: Map<number, string>): void {
  const hexToString = (hex: string) => {
    const codes: number[] = [];
    for (let i = 0; i < hex.length; i += 4) codes.push(parseInt(hex.slice(i, i + 4), 16));
    return String.fromCharCode(...codes);
  };
  for (const block of text.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const e of block[1].matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>/g)) into.set(parseInt(e[1], 16), hexToString(e[2]));
  }
  for (const block of text.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const e of block[1].matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(\[[^\]]*\]|<[0-9a-fA-F]+>)/g)) {
      const lo = parseInt(e[1], 16);
      const hi = parseInt(e[2], 16);
      if (e[3].startsWith('[')) {
        [...e[3].matchAll(/<([0-9a-fA-F]+)>/g)].forEach((v, i) => into.set(lo + i, hexToString(v[1])));
      } else {
        const base = parseInt(e[3].slice(1, -1), 16);
        for (let c = lo; c <= hi; c++) into.set(c, String.fromCharCode(base + c - lo));
      }
    }
  }
}

export function readPdf(pdf: Buffer): PdfFacts {
  const latin = pdf.toString('latin1');
  if (!latin.startsWith('%PDF-')) throw new Error('not a PDF');
  const fonts = [...latin.matchAll(/\/BaseFont\s*\/([^\s/>]+)/g)].map((m) => m[1]);
  const embeddedFontPrograms = [...latin.matchAll(/\/FontFile[23]?\s+\d+\s+\d+\s+R/g)].length;
  const cmap = new Map<number, string>();
  const all = streams(pdf);
  for (const s of all) {
    const text = s.data.toString('latin1');
    if (text.includes('begincmap')) parseCMap(text, cmap);
  }
  let text = '';
  let unmappedCodes = 0;
  for (const s of all) {
    const content = s.data.toString('latin1');
    if (!/\bBT\b/.test(content)) continue;
    for (const block of content.matchAll(/BT([\s\S]*?)ET/g)) {
      for (const op of block[1].matchAll(/\[((?:[^\]])*)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj/g)) {
        const hexes = op[1] !== undefined ? [...op[1].matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => h[1]) : [op[2]];
        for (const hex of hexes) {
          for (let i = 0; i + 4 <= hex.length; i += 4) {
            const code = parseInt(hex.slice(i, i + 4), 16);
            const ch = cmap.get(code);
            if (code === 0 || ch === undefined) unmappedCodes++;
            else text += ch;
          }
        }
      }
    }
  }
  return { fonts, embeddedFontPrograms, text, unmappedCodes };
}
