import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';

/**
 * The password policy, one definition for the API and the admin UI (which shows the same reason
 * before sending). No Node-only imports here: the UI bundles this file.
 */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;
/** zxcvbn's 0–4 scale; 3 means "safely unguessable: moderate protection from offline attacks". */
export const PASSWORD_MIN_SCORE = 3;

let estimator: ZxcvbnFactory | null = null;
const strength = () => (estimator ??= new ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs, useLevenshteinDistance: true }));

/** Why a password is refused, as a code the UI words in the user's language. */
export type PasswordProblem = { code: 'too_short'; min: number } | { code: 'too_long'; max: number } | { code: 'contains_name' } | { code: 'too_weak'; warning: string | null };

/**
 * The password policy (等保 identity requirements): a minimum length, and an estimated strength
 * that rejects common passwords ("Password1"), keyboard walks, dates and anything built from the
 * account's own name.
 */
export function checkPassword(plain: string, userInputs: string[] = []): PasswordProblem | null {
  if (plain.length < PASSWORD_MIN_LENGTH) return { code: 'too_short', min: PASSWORD_MIN_LENGTH };
  if (plain.length > PASSWORD_MAX_LENGTH) return { code: 'too_long', max: PASSWORD_MAX_LENGTH };
  const lower = plain.toLowerCase();
  for (const input of userInputs) {
    if (input && input.length >= 3 && lower.includes(input.toLowerCase())) return { code: 'contains_name' };
  }
  const result = strength().check(plain, userInputs.filter(Boolean));
  return result.score < PASSWORD_MIN_SCORE ? { code: 'too_weak', warning: result.feedback.warning } : null;
}

/** The same check, answered in English words for the API's error details; null when acceptable. */
export function passwordProblem(plain: string, userInputs: string[] = []): string | null {
  const problem = checkPassword(plain, userInputs);
  switch (problem?.code) {
    case undefined:
      return null;
    case 'too_short':
      return `must be at least ${problem.min} characters`;
    case 'too_long':
      return `must be at most ${problem.max} characters`;
    case 'contains_name':
      return 'must not contain the username or the person’s name';
    case 'too_weak':
      return `is too easy to guess${problem.warning ? ` (${problem.warning})` : ''}: use a longer phrase or mix unrelated words, digits and symbols`;
  }
}
