import { DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_USERS } from '../../db/seeds/demo';
import { isAdminRole } from '../../lib/roles';
import { TOTP_PERIOD_SECONDS, totpCode, totpStep } from '../../lib/second-factor';

/**
 * The demo administrators' second factor, computed the way an authenticator app would (from the
 * published DEMO_TOTP_SECRET), so that every test signing in as admin, security or auditor keeps
 * working. The API accepts a step once per account and one step either side of now: this module
 * remembers the steps it used (per test file: jest gives each file its own module registry) and
 * hands out the current step, then the next one, then waits for a fresh step.
 */
const DEMO_ADMINS = new Set(DEMO_USERS.filter((u) => isAdminRole(u.role)).map((u) => u.username));
const lastStep = new Map<string, number>();

export const needsDemoCode = (username: string) => DEMO_ADMINS.has(username);

/** A code the API has not yet seen for this account (as far as this test file knows). */
export async function nextDemoCode(username: string): Promise<string> {
  for (;;) {
    const now = totpStep();
    const step = Math.max(now, (lastStep.get(username) ?? -1) + 1);
    if (step <= now + 1) {
      lastStep.set(username, step);
      return totpCode(DEMO_TOTP_SECRET, step);
    }
    // Both usable steps are spent: wait for the next one to start.
    const msLeft = TOTP_PERIOD_SECONDS * 1000 - (Date.now() % (TOTP_PERIOD_SECONDS * 1000));
    await new Promise((resolve) => setTimeout(resolve, msLeft + 50));
  }
}

/** After the API refused a code as used (someone else signed in with it): skip past that step. */
export function forgetDemoSteps(username: string): void {
  lastStep.set(username, totpStep() + 1);
}

/** The sign-in body of a demo user: with a fresh TOTP code for the demo administrators. */
export async function demoLoginBody(username: string, password = DEMO_PASSWORD): Promise<{ username: string; password: string; code?: string }> {
  return needsDemoCode(username) ? { username, password, code: await nextDemoCode(username) } : { username, password };
}
