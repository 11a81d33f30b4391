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
  async login({ username, password }) {
    cachedMe = null;
    try {
      await apiFetch('/api/auth/login', { method: 'POST', body: JSON.stringify({ username, password }) });
    } catch (error) {
      const status = (error as { status?: number }).status;
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
