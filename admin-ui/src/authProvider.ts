import type { AuthProvider } from 'react-admin';
import { apiFetch } from './api';

export interface Me {
  id: number;
  username: string;
  displayName: string;
  role: string;
  organisationName: string;
  scope: { kind: string };
  permissions: string[];
  mustChangePassword?: boolean;
  passwordChangeReason?: 'set_by_other' | 'expired' | null;
  /** Administrators sign in with a second factor, and must enrol one before anything else. */
  secondFactorRequired?: boolean;
  secondFactorEnrolled?: boolean;
}

/** After a password change the identity (mustChangePassword) is read afresh. */
export function forgetIdentity(): void {
  cachedMe = null;
}

let cachedMe: Promise<Me | null> | null = null;
const loadMe = () =>
  (cachedMe ??= apiFetch('/api/auth/me')
    .then((r) => r.json() as Promise<Me>)
    .catch(() => {
      cachedMe = null;
      return null;
    }));

/** Cookie sessions: the browser holds the httpOnly cookie; this only asks the API who we are. */
export const authProvider: AuthProvider = {
  /** `code`: the administrator's TOTP or recovery code, sent after the API asked for it. */
  async login({ username, password, code }) {
    cachedMe = null;
    try {
      const res = await apiFetch('/api/auth/login', { method: 'POST', body: JSON.stringify({ username, password, ...(code ? { code } : {}) }) });
      const body = (await res.json().catch(() => ({}))) as { recoveryCodesLeft?: number };
      return body.recoveryCodesLeft !== undefined ? { recoveryCodesLeft: body.recoveryCodesLeft } : undefined;
    } catch (error) {
      const status = (error as { status?: number }).status;
      const apiCode = (error as { body?: { error?: { code?: string } } }).body?.error?.code;
      if (apiCode === 'second_factor_required' || apiCode === 'invalid_second_factor') throw new Error(`app.${apiCode}`, { cause: error });
      throw new Error(status === 423 ? 'app.account_locked' : status === 401 ? 'app.invalid_credentials' : (error as Error).message, { cause: error });
    }
  },
  async logout() {
    // react-admin also calls logout when a check fails; only a live session needs ending.
    const wasSignedIn = cachedMe !== null && (await cachedMe) !== null;
    cachedMe = null;
    if (wasSignedIn) await apiFetch('/api/auth/logout', { method: 'POST' }).catch(() => undefined);
  },
  async checkAuth() {
    if (!(await loadMe())) throw new Error('ra.auth.auth_check_error');
  },
  async checkError(error) {
    if (error?.status === 401) {
      cachedMe = null;
      throw new Error('ra.notification.logged_out');
    }
  },
  async getIdentity() {
    const me = await loadMe();
    if (!me) throw new Error('ra.auth.auth_check_error');
    return { ...me, fullName: me.displayName };
  },
  async getPermissions() {
    return (await loadMe())?.permissions ?? [];
  },
};
