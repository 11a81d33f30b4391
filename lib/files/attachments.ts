import { z } from 'zod';

/**
 * What a case, a decision or a supplement may carry as an attachment: a name and either a file
 * uploaded to `POST /api/files` (its id, a UUID) or a link to an outside page (http or https
 * only — a `javascript:` or `data:` URL would run in whoever clicks it). One definition, used
 * by every route that takes attachments.
 */
function isWebUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

export const Attachment = z
  .object({
    name: z.string().min(1).max(255),
    fileId: z.uuid('is not a file id').optional(),
    url: z.string().max(1024).refine(isWebUrl, 'must be an http(s) URL').optional(),
  })
  .refine((a) => !(a.fileId && a.url), { message: 'give either a fileId or a url, not both', path: ['url'] });

export const Attachments = z.array(Attachment).max(50);

export type AttachmentInput = z.output<typeof Attachment>;

/** A file id given in a request, with the field that carried it (for a 422 naming it). */
export interface FileRef {
  fileId: unknown;
  field: string;
}

/**
 * Every file id a request hands to a case: `attachments[i].fileId`, and any `fileId` property
 * anywhere inside `formData` (e.g. `materials[i].fileId` of a start form). Walked without
 * recursion, so a deeply nested body cannot exhaust the stack.
 */
export function fileRefsOf(input: { attachments?: Array<{ fileId?: string }> | null; formData?: Record<string, unknown> | null }, prefix = 'body'): FileRef[] {
  const refs: FileRef[] = [];
  for (const [i, a] of (input.attachments ?? []).entries()) {
    if (a.fileId !== undefined) refs.push({ fileId: a.fileId, field: `${prefix}.attachments.${i}.fileId` });
  }
  const stack: Array<{ value: unknown; path: string }> = input.formData ? [{ value: input.formData, path: `${prefix}.formData` }] : [];
  const found: FileRef[] = [];
  while (stack.length) {
    const { value, path } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    const entries: Array<[string, unknown]> = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value as Record<string, unknown>);
    for (const [key, v] of entries) {
      if (key === 'fileId' && !Array.isArray(value)) {
        if (v !== undefined && v !== null && v !== '') found.push({ fileId: v, field: `${path}.${key}` });
      } else if (v !== null && typeof v === 'object') {
        stack.push({ value: v, path: `${path}.${key}` });
      }
    }
  }
  // Stable order for error messages: the order the fields appear in the body.
  return [...refs, ...found.sort((a, b) => a.field.localeCompare(b.field, 'en', { numeric: true }))];
}
