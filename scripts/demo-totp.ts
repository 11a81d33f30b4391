import { DEMO_TOTP_SECRET, DEMO_USERS } from '../db/seeds/demo';
import { isAdminRole } from '../lib/roles';
import { TOTP_PERIOD_SECONDS, totpCode } from '../lib/second-factor';

/**
 * `npm run demo:totp -- <username>`: the current second-factor code of a demo administrator
 * (admin, security, auditor), computed from the published demo secret (db/seeds/demo.ts) — the
 * demo's stand-in for an authenticator app. Refused in production, where no demo account exists.
 */
function main(): void {
  if (process.env.NODE_ENV === 'production') {
    console.error('demo:totp is for the demo accounts only, which never exist in production.');
    process.exit(2);
  }
  const username = process.argv[2];
  const admins = DEMO_USERS.filter((u) => isAdminRole(u.role)).map((u) => u.username);
  if (!username || !admins.includes(username)) {
    console.error(`usage: npm run demo:totp -- <${admins.join(' | ')}>`);
    process.exit(2);
  }
  const left = TOTP_PERIOD_SECONDS - (Math.floor(Date.now() / 1000) % TOTP_PERIOD_SECONDS);
  console.log(`${totpCode(DEMO_TOTP_SECRET)}  (${username}; valid for ${left} more seconds, once)`);
}

main();
