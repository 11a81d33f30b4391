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
const strength = () =>
  (estimator ??= new ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs, useLevenshteinDistance: true }));

/**
 * The password policy (等保 identity requirements): a minimum length, and an estimated strength
 * that rejects common passwords ("Password1"), keyboard walks, dates and anything built from the
 * account's own name. Answers the reason in words, or null when the password is acceptable.
 */
export function passwordProblem(plain: string, userInputs: string[] = []): string | null {
  if (plain.length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (plain.length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters`;
  const lower = plain.toLowerCase();
  for (const input of userInputs) {
    if (input && input.length >= 3 && lower.includes(input.toLowerCase())) return 'must not contain the username or the person’s name';
  }
  const result = strength().check(plain, userInputs.filter(Boolean));
  if (result.score < PASSWORD_MIN_SCORE) {
    const warning = result.feedback.warning ? ` (${result.feedback.warning})` : '';
    return `is too easy to guess${warning}: use a longer phrase or mix unrelated words, digits and symbols`;
  }
  return null;
}
