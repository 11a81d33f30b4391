import express, { type Router } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { findFile, findReadableFile, readFileBytes, saveFile } from '../../db/files';
import { FileIntegrityError, MAX_FILE_BYTES } from '../../lib/files/store';
import { whereCaseVisible } from '../cases/access';
import { badRequest, HttpError, notFound, unauthenticated } from '../http/errors';
import type { Api } from '../http/route';

/**
 * Attachments: upload raw bytes (`POST /api/files?name=…`, body = the file, its Content-Type),
 * download by id. A file is readable exactly by those who may read what it belongs to
 * (docs/security-files.md, `findReadableFile` in db/files.ts): an upload not yet attached by its
 * uploader only, a case's file by whoever sees the case. Knowing an id is not enough: any other
 * read answers 404, as for no such file, and is logged as denied.
 *
 * Files are encrypted at rest (docs/encryption.md); a download decrypts and checks the content
 * against the SHA-256 recorded at upload (`readFileBytes`). A file that fails (tampered, corrupt,
 * missing, under a removed key) is never served: 500 `file_integrity_failed`, an error log line
 * and a failed operation-log entry naming the file, so that someone looks at the store.
 */
const UploadQuery = z.object({ name: z.string().trim().min(1, 'is required').max(255) });
const IdParams = z.object({ id: z.uuid('is not a file id') });

export function registerFileRoutes(router: Router, api: Api, db: Knex, filesDir: string): void {
  router.post('/api/files', express.raw({ type: () => true, limit: MAX_FILE_BYTES }), async (req, res, next) => {
    try {
      if (!req.user) throw unauthenticated();
      res.locals.action = 'files.upload';
      const query = UploadQuery.safeParse(req.query);
      if (!query.success)
        throw badRequest(
          'Invalid query',
          query.error.issues.map((i) => ({ field: `query.${i.path.join('.')}`, reason: i.message })),
        );
      const bytes = req.body as Buffer;
      if (!Buffer.isBuffer(bytes) || bytes.length === 0) throw badRequest('The file is empty', [{ field: 'body', reason: 'empty' }]);
      const mime = (req.get('content-type') ?? 'application/octet-stream').split(';')[0].slice(0, 128);
      const file = await db.transaction(async (trx) => {
        const saved = await saveFile(trx, filesDir, { name: query.data.name, mime, bytes, uploadedBy: req.user!.id });
        return saved;
      });
      res.status(201).json(file);
    } catch (err) {
      next(err);
    }
  });

  api.registry.registerPath({
    method: 'post',
    path: '/api/files',
    summary: 'Upload a file (raw body, up to 20 MB); answers its id for use as an attachment',
    tags: ['files'],
    request: { query: UploadQuery },
    responses: { 201: { description: 'The stored file: id, name, mime, size, sha256' }, 400: { description: 'No name or an empty body' }, 413: { description: 'Over 20 MB' } },
  });

  api.add({
    method: 'get',
    path: '/api/files/:id',
    summary: 'Download a file by id, if the caller may read what it belongs to (else 404)',
    tags: ['files'],
    action: 'files.download',
    access: 'signed-in',
    params: IdParams,
    handler: async ({ params, req, res, user, audit }) => {
      const file = await findReadableFile(db, params.id, { userId: user.id, whereCaseVisible: (q) => whereCaseVisible(db, q, user) });
      if (!file) {
        // The same answer as for no such file; an existing one is logged as a denied attempt on it.
        if (await findFile(db, params.id)) await audit(db, { status: 404, result: 'denied', targetType: 'file', targetId: params.id });
        throw notFound('File');
      }
      let bytes: Buffer | null;
      try {
        bytes = await readFileBytes(db, filesDir, file.id);
      } catch (err) {
        if (!(err instanceof FileIntegrityError)) throw err;
        req.log?.error({ fileId: file.id, reason: err.reason }, 'stored file failed its integrity check; not served');
        await audit(db, { status: 500, result: 'failed', targetType: 'file', targetId: file.id, detail: { code: err.code, reason: err.reason } });
        throw new HttpError(500, err.code, 'The stored file failed its integrity check (it was changed or damaged on disk) and is not served; the failure is logged for the administrators');
      }
      if (!bytes) throw notFound('File');
      res.setHeader('Content-Type', file.mime);
      res.setHeader('Content-Length', String(bytes.length));
      res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`);
      res.end(bytes);
      return undefined;
    },
  });
}
