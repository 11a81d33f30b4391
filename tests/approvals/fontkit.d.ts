/** The part of fontkit (PDFKit's font library) the document test uses to look glyphs up. */
declare module 'fontkit' {
  export function openSync(path: string): unknown;
}
