/**
 * Personal data of the base registries (docs/personal-data.md): which fields are personal and
 * how each is masked. One definition for both sides: the API masks with these functions before
 * anything leaves the server, and the admin UI reads the same table to know which fields carry
 * a "显示" (reveal) button. The UI never masks by itself: what it receives is already masked.
 */
export type PersonalKind = 'id_number' | 'phone';

/**
 * Personal fields by registry resource (the API's URL segment). A child row's field is written
 * `<child key>.<field>` (a committee's members).
 */
export const PERSONAL_FIELDS = {
  staff: { id_number: 'id_number', mobile: 'phone' },
  committees: { 'members.phone': 'phone' },
  'staff-duplicates': { id_number: 'id_number' },
} as const satisfies Record<string, Record<string, PersonalKind>>;

export type PersonalResource = keyof typeof PERSONAL_FIELDS;

/** The personal fields of a resource (empty for one without any). */
export function personalFieldsOf(resource: string): Record<string, PersonalKind> {
  return (PERSONAL_FIELDS as Record<string, Record<string, PersonalKind>>)[resource] ?? {};
}

export const MASK = '*';

/**
 * An ID card number keeps its first four (province and city: where it was issued) and last four
 * characters: `3205**********1234`. Enough to tell two people apart on a list and to match a
 * card in hand, not enough to use the number.
 */
export function maskIdNumber(value: string): string {
  const v = value.trim();
  if (v.length <= 8) return MASK.repeat(v.length);
  return v.slice(0, 4) + MASK.repeat(v.length - 8) + v.slice(-4);
}

/**
 * A phone keeps its first three and last four characters (`138****5678`; a landline
 * `051******0005`); a short service number only its last two.
 */
export function maskPhone(value: string): string {
  const v = value.trim();
  if (v.length >= 8) return v.slice(0, 3) + MASK.repeat(v.length - 7) + v.slice(-4);
  if (v.length > 2) return MASK.repeat(v.length - 2) + v.slice(-2);
  return MASK.repeat(v.length);
}

export function maskValue(kind: PersonalKind, value: string): string {
  return kind === 'id_number' ? maskIdNumber(value) : maskPhone(value);
}

/**
 * Whether a value is a masked placeholder. No valid ID number or phone contains `*` (their
 * formats refuse it), so a value with one can only be a mask sent back unchanged by a form.
 */
export function isMasked(value: unknown): value is string {
  return typeof value === 'string' && value.includes(MASK);
}
