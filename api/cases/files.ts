import type { Knex } from 'knex';
import { checkAttachable, FILE_OWNERS, linkFiles, type FilePurpose } from '../../db/files';
import { fileRefsOf } from '../../lib/files/attachments';
import type { SessionUser } from '../auth/sessions';
import { HttpError } from '../http/errors';

/**
 * Files a request hands to a case (attachments, file ids in formData) become the case's files,
 * readable by whoever sees the case. Only their uploader may do that (or anyone acting on the
 * case, for a file the case already has); otherwise 422 naming each field, and nothing linked.
 * Answers the ids newly linked, so a caller whose next step fails can take them back.
 */
export async function linkCaseFiles(
  db: Knex | Knex.Transaction,
  caseId: number,
  user: SessionUser,
  input: { attachments?: Array<{ fileId?: string }> | null; formData?: Record<string, unknown> | null },
  purpose: FilePurpose,
): Promise<string[]> {
  const refs = fileRefsOf(input);
  if (!refs.length) return [];
  const owner = { type: FILE_OWNERS.case, id: caseId };
  const { refused, toLink } = await checkAttachable(db, refs, owner, user.id);
  if (refused.length) throw new HttpError(422, 'invalid_reference', 'Only files you uploaded (or files the case already has) may be attached', refused);
  // A file id inside formData is a form's material; one in attachments has the caller's purpose.
  const fromForm = new Set(refs.filter((r) => r.field.startsWith('body.formData.')).map((r) => r.fileId));
  const fromAttachments = new Set(refs.filter((r) => !r.field.startsWith('body.formData.')).map((r) => r.fileId));
  await linkFiles(
    db,
    toLink.filter((id) => fromAttachments.has(id)),
    owner,
    { purpose, linkedBy: user.id },
  );
  await linkFiles(
    db,
    toLink.filter((id) => !fromAttachments.has(id) && fromForm.has(id)),
    owner,
    { purpose: 'form', linkedBy: user.id },
  );
  return toLink;
}
