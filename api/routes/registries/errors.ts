import { RegistryError } from '../../../db/registries/actor';
import { UploadRefused } from '../../../db/registries/import-limits';
import { ImportBusy } from '../../../db/registries/xlsx-pool';
import { HttpError, badRequest, conflict, notFound, outOfScope } from '../../http/errors';

/** The model layer's refusals, as the API's error format (a field problem names `body.<field>`). */
export function toHttp(err: unknown): unknown {
  // An import file refused by its limits or as unreadable: 413 or 400, with the reason.
  if (err instanceof UploadRefused) return new HttpError(err.status, err.code, err.message, [{ field: err.field, reason: err.reason }]);
  if (err instanceof ImportBusy) return new HttpError(503, 'unavailable', err.message);
  if (!(err instanceof RegistryError)) return err;
  const details = err.field ? [{ field: `body.${err.field}`, reason: err.message }] : undefined;
  switch (err.kind) {
    case 'forbidden':
      return new HttpError(403, 'forbidden', err.message, details);
    case 'not_found':
      return err.outOfScope ? outOfScope('Record', err.outOfScope.type, err.outOfScope.id) : notFound('Record');
    case 'conflict':
      return conflict(err.message, details);
    case 'invalid':
      return badRequest(err.field ? `${err.field} ${err.message}` : err.message, details);
  }
}

export async function mapped<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toHttp(err);
  }
}
