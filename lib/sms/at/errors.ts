/**
 * What can go wrong with one AT command. `kind` says who is to blame, which the pool needs to
 * decide whether to take a modem out (timeouts, garbled answers, a closed port) or only to fail
 * the command (ERROR, +CME/+CMS ERROR, whose code says more).
 */
export type AtErrorKind = 'error' | 'cme' | 'cms' | 'timeout' | 'garbled' | 'closed';

export class AtError extends Error {
  constructor(
    readonly kind: AtErrorKind,
    readonly command: string,
    readonly code: number | null,
    message: string,
  ) {
    super(message);
    this.name = 'AtError';
  }

  /** A short code for logs and the message table: "cms:322", "timeout", "error". */
  get shortCode(): string {
    return this.code === null ? this.kind : `${this.kind}:${this.code}`;
  }
}

export function isAtError(err: unknown): err is AtError {
  return err instanceof AtError;
}
