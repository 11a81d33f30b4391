import type { Role } from '../roles';

/**
 * The SMS records' vocabulary, one definition for the API (validation, filters) and the SMS
 * worker (what it writes): message and notice statuses, and whom a notice targets.
 */
export const MESSAGE_STATUSES = ['queued', 'sending', 'sent', 'delivered', 'failed'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export const NOTICE_STATUSES = ['scheduled', 'sending', 'done', 'cancelled', 'failed'] as const;
export type NoticeStatus = (typeof NOTICE_STATUSES)[number];

export type NoticeTarget = { kind: 'category'; categoryId: number } | { kind: 'role'; role: Role } | { kind: 'organisation'; organisationId: number } | { kind: 'users'; userIds: number[] };
