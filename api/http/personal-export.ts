import { z } from 'zod';
import { can, type Role } from '../../lib/roles';
import { badRequest, forbidden } from './errors';

/**
 * `personal=masked|clear` on an export (the registries, the SMS log): whether the caller asked
 * for personal data in clear, refused (and so logged as a denial) before anything is streamed
 * unless the role holds pii:export.
 */
const PersonalParam = z.enum(['masked', 'clear']).optional();

/** `hasPersonal` false: the export holds no personal data, so "clear" changes nothing (and needs nothing). */
export function clearExportWanted(personal: unknown, role: Role, hasPersonal = true): boolean {
  const wanted = PersonalParam.safeParse(personal);
  if (!wanted.success) throw badRequest('personal must be masked or clear', [{ field: 'query.personal', reason: 'must be masked or clear' }]);
  const clear = hasPersonal && wanted.data === 'clear';
  if (clear && !can(role, 'pii:export')) throw forbidden('Your role may not export personal data unmasked (pii:export)');
  return clear;
}
