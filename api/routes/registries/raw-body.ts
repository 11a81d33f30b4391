import type { Request } from 'express';
import { HttpError, badRequest } from '../../http/errors';

/**
 * Reads an upload sent as the raw request body (an .xlsx or .csv file, any content type but
 * JSON, which the app's JSON parser would have taken). Raw bytes avoid both base64's third more
 * and multipart parsing, and are what `fetch(url, { body: file })` sends.
 */
export async function readRawBody(req: Request, limitBytes: number): Promise<Buffer> {
  if (Buffer.isBuffer(req.body)) return req.body;
  if (req.readableEnded) throw badRequest('Send the file as the request body (not JSON)', [{ field: 'body', reason: 'missing file' }]);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) throw new HttpError(413, 'payload_too_large', `The file is larger than ${Math.round(limitBytes / 1e6)} MB`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) throw badRequest('The file is empty', [{ field: 'body', reason: 'empty file' }]);
  return Buffer.concat(chunks);
}
