import { RegistryError } from '../../../db/registries/actor';
import { HttpError, badRequest, conflict, notFound } from '../../http/errors';

/** The model layer's refusals, as the API's error format (a field problem names `body.<field>`). */
export function toHttp(err: unknown): unknown {
  if (!(err instanceof RegistryError)) return err;
  const details = err.field ? [{ field: `body.${err.field}`, reason: err.message }] : undefined;
  switch (err.kind) {
    case 'forbidden':
      return new HttpError(403, 'forbidden', err.message, details);
    case 'not_found':
      return notFound('Record');
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

