import crypto from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Knex } from 'knex';
import { z } from 'zod';
import { findOrganisation } from '../../db/organisations';
import { activeCategoryIds, categoryChoices, categoryCodeTaken, findCategory, insertCategory, listCategories, replaceSubscriptions, subscribedCategoryIds, updateCategory } from '../../db/sms/categories';
import { attemptsWithParts } from '../../db/sms/journal';
import { listInbound } from '../../db/sms/inbound';
import { findMessage, listMessages, noticeMessageCounts } from '../../db/sms/messages';
import { listModems } from '../../db/sms/modems';
import { cancelScheduledNotice, findNotice, insertNotice, listNotices, markNoticeNotStarted } from '../../db/sms/notices';
import { TRAFFIC_MEASURES, trafficByModemAndDay } from '../../db/sms/stats';
import { findTopic, topicCounts } from '../../db/sms/topics';
import { ROLES, type Scope } from '../../lib/roles';
import { MAX_PARTS, planMessage } from '../../lib/sms/pdu';
import { MESSAGE_STATUSES, NOTICE_STATUSES } from '../../lib/sms/records';
import type { LazyTemporalClient } from '../../lib/temporal/client';
import { conflict, HttpError, notFound, temporalUnavailable } from '../http/errors';
import { listQuery } from '../http/list-query';
import { listResult, type Api } from '../http/route';

/**
 * The SMS platform's API (M2–M5): categories, a user's own subscriptions, notices now or at a
 * set time, the message and inbound logs, reply topics, per-modem daily statistics and modem
 * health. Notices are carried out by the SMS worker (smsNoticeWorkflow on its queue); these
 * routes only record them and start or cancel that workflow.
 */
const IdParams = z.object({ id: z.coerce.number().int().positive() });

const CategoryBody = z.object({
  code: z
    .string()
    .trim()
    .min(1)
    .max(32)
    .regex(/^[a-z0-9_-]+$/, 'lower-case letters, digits, dash and underscore only'),
  name: z.string().trim().min(1).max(64),
  description: z.string().trim().max(255).nullable().default(null),
  active: z.boolean().default(true),
});

const NoticeText = z
  .string()
  .trim()
  .min(1)
  .max(MAX_PARTS * 67)
  .refine((t) => planMessage(t).parts.length <= MAX_PARTS, `needs more than ${MAX_PARTS} SMS parts`);

const NoticeTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('category'), categoryId: z.number().int().positive() }),
  z.object({ kind: z.literal('role'), role: z.enum(ROLES) }),
  z.object({ kind: z.literal('organisation'), organisationId: z.number().int().positive() }),
  z.object({ kind: z.literal('users'), userIds: z.array(z.number().int().positive()).min(1).max(1000) }),
]);

const MAX_SCHEDULE_DAYS = 90;
const NoticeBody = z.object({
  text: NoticeText,
  target: NoticeTarget,
  sendAt: z.iso
    .datetime({ offset: true })
    .nullable()
    .default(null)
    .refine((v) => v === null || Date.parse(v) > Date.now() - 60_000, 'must not be in the past')
    .refine((v) => v === null || Date.parse(v) < Date.now() + MAX_SCHEDULE_DAYS * 86_400_000, `must be within ${MAX_SCHEDULE_DAYS} days`),
});

const dateOnly = z.iso.date();

export const MessageList = listQuery({
  sortable: ['id', 'created_at', 'sent_at', 'status', 'phone'] as const,
  defaultSort: ['id', 'DESC'],
  filter: z.object({
    status: z.enum(MESSAGE_STATUSES).optional(),
    /** The start of the number (any spelling: "+86 138…" finds "138…"). */
    phone: z.string().max(32).optional(),
    modem_imei: z.string().max(20).optional(),
    notice_id: z.coerce.number().int().positive().optional(),
    topic_id: z.coerce.number().int().positive().optional(),
    created_from: dateOnly.optional(),
    created_to: dateOnly.optional(),
  }),
});

const InboundList = listQuery({
  sortable: ['id', 'received_at', 'sender'] as const,
  defaultSort: ['id', 'DESC'],
  filter: z.object({ sender: z.string().max(32).optional(), modem_imei: z.string().max(20).optional(), topic_id: z.coerce.number().int().positive().optional() }),
});

const NoticeList = listQuery({
  sortable: ['id', 'created_at', 'send_at', 'status'] as const,
  defaultSort: ['id', 'DESC'],
  filter: z.object({ status: z.enum(NOTICE_STATUSES).optional() }),
});

const CategoryList = listQuery({
  sortable: ['id', 'code', 'name'] as const,
  defaultSort: ['id', 'ASC'],
  filter: z.object({ active: z.boolean().optional(), q: z.string().max(64).optional() }),
});

const StatsQuery = z.object({ from: dateOnly.optional(), to: dateOnly.optional() }).refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'must not be after "to"', path: ['from'] });

/** A district user's notices reach, and their lists show, only their district. */
function noticeDistrict(scope: Scope): string | null {
  return scope.kind === 'district' || scope.kind === 'street' ? scope.districtCode : null;
}

export function registerSmsRoutes(api: Api, db: Knex, temporal: LazyTemporalClient, taskQueue: string): void {
  api.add({
    method: 'get',
    path: '/api/sms/categories',
    summary: 'SMS categories people can subscribe to',
    tags: ['sms'],
    access: 'signed-in',
    query: CategoryList,
    handler: async ({ query }) => {
      const page = await listCategories(db, query);
      return listResult('sms/categories', page.rows, page.total, query.offset, page.hasMore);
    },
  });

  api.add({
    method: 'post',
    path: '/api/sms/categories',
    summary: 'Create an SMS category',
    tags: ['sms'],
    action: 'sms.category_create',
    access: 'sms:manage',
    status: 201,
    body: CategoryBody,
    handler: async ({ body, audit }) =>
      db.transaction(async (trx) => {
        if (await categoryCodeTaken(trx, body.code)) throw conflict('The code is taken', [{ field: 'body.code', reason: 'already exists' }]);
        const id = await insertCategory(trx, body);
        await audit(trx, { status: 201, targetType: 'sms_category', targetId: id, detail: { after: body } });
        return findCategory(trx, id);
      }),
  });

  api.add({
    method: 'put',
    path: '/api/sms/categories/:id',
    summary: 'Update an SMS category (inactive ones take no new notices)',
    tags: ['sms'],
    action: 'sms.category_update',
    access: 'sms:manage',
    params: IdParams,
    body: CategoryBody,
    handler: async ({ params, body, audit }) =>
      db.transaction(async (trx) => {
        const before = await findCategory(trx, params.id, { forUpdate: true });
        if (!before) throw notFound('Category');
        if (await categoryCodeTaken(trx, body.code, params.id)) throw conflict('The code is taken', [{ field: 'body.code', reason: 'already exists' }]);
        await updateCategory(trx, params.id, body);
        await audit(trx, { targetType: 'sms_category', targetId: params.id, detail: { before, after: body } });
        return findCategory(trx, params.id);
      }),
  });

  const mySubscriptions = async (userId: number) => {
    const list = await categoryChoices(db, userId);
    return { categoryIds: list.filter((c) => c.subscribed).map((c) => c.id), categories: list };
  };

  api.add({
    method: 'get',
    path: '/api/sms/subscriptions/me',
    summary: 'The categories the signed-in user receives',
    tags: ['sms'],
    access: 'signed-in',
    handler: async ({ user }) => mySubscriptions(user.id),
  });

  api.add({
    method: 'put',
    path: '/api/sms/subscriptions/me',
    summary: 'Choose the categories the signed-in user receives (replaces the previous choice)',
    tags: ['sms'],
    action: 'sms.subscriptions_update',
    access: 'signed-in',
    body: z.object({ categoryIds: z.array(z.number().int().positive()).max(200) }),
    handler: async ({ body, user, audit }) => {
      const wanted = [...new Set(body.categoryIds)];
      await db.transaction(async (trx) => {
        const existing = await activeCategoryIds(trx, wanted);
        const missing = wanted.filter((id) => !existing.includes(id));
        if (missing.length) {
          throw new HttpError(
            422,
            'invalid_reference',
            'Unknown or inactive categories',
            missing.map((id) => ({ field: 'body.categoryIds', reason: `category ${id} does not exist or is inactive` })),
          );
        }
        const before = await subscribedCategoryIds(trx, user.id);
        await replaceSubscriptions(trx, user.id, wanted);
        await audit(trx, { targetType: 'user', targetId: user.id, detail: { before, after: wanted } });
      });
      return mySubscriptions(user.id);
    },
  });

  api.add({
    method: 'post',
    path: '/api/sms/notices',
    summary: 'Send a notice by SMS to a category’s subscribers or a group, now or at a set time',
    tags: ['sms'],
    action: 'sms.notice_create',
    access: 'sms:send',
    status: 201,
    body: NoticeBody,
    handler: async ({ body, user, audit }) => {
      const district = noticeDistrict(user.scope);
      if (body.target.kind === 'category') {
        if (!(await activeCategoryIds(db, [body.target.categoryId])).length) throw new HttpError(422, 'invalid_reference', 'Unknown or inactive category', [{ field: 'body.target.categoryId', reason: 'does not exist or is inactive' }]);
      }
      if (body.target.kind === 'organisation') {
        const org = await findOrganisation(db, { kind: 'city' }, body.target.organisationId);
        if (!org) throw new HttpError(422, 'invalid_reference', 'Unknown organisation', [{ field: 'body.target.organisationId', reason: 'does not exist' }]);
        if (district && org.district_code !== district) throw new HttpError(403, 'forbidden', 'The organisation is outside your district');
      }
      const workflowId = `sms-notice-${crypto.randomUUID()}`;
      const id = await db.transaction(async (trx) => {
        const noticeId = await insertNotice(trx, { text: body.text, target: body.target, districtCode: district, sendAt: body.sendAt ? new Date(body.sendAt) : null, workflowId, createdBy: user.id });
        await audit(trx, { status: 201, targetType: 'sms_notice', targetId: noticeId, detail: { target: body.target, sendAt: body.sendAt, length: body.text.length } });
        return noticeId;
      });
      try {
        const client = await temporal.get();
        await client.workflow.start('smsNoticeWorkflow', { taskQueue, workflowId, args: [{ noticeId: id }] });
      } catch (err) {
        await markNoticeNotStarted(db, id, `could not start: ${String((err as Error).message ?? err)}`);
        throw temporalUnavailable('The notice was recorded as failed, not scheduled: Temporal is unreachable; send it again shortly');
      }
      return findNotice(db, id, district);
    },
  });

  api.add({
    method: 'get',
    path: '/api/sms/notices',
    summary: 'Notices (a district user sees its district’s)',
    tags: ['sms'],
    access: 'sms:send',
    query: NoticeList,
    handler: async ({ query, user }) => {
      const page = await listNotices(db, noticeDistrict(user.scope), query);
      return listResult('sms/notices', page.rows, page.total, query.offset, page.hasMore);
    },
  });

  api.add({
    method: 'get',
    path: '/api/sms/notices/:id',
    summary: 'One notice with its message counts',
    tags: ['sms'],
    access: 'sms:send',
    params: IdParams,
    handler: async ({ params, user }) => {
      const row = await findNotice(db, params.id, noticeDistrict(user.scope));
      if (!row) throw notFound('Notice');
      return { ...row, messages: await noticeMessageCounts(db, params.id) };
    },
  });

  api.add({
    method: 'post',
    path: '/api/sms/notices/:id/cancel',
    summary: 'Cancel a notice that has not started sending',
    tags: ['sms'],
    action: 'sms.notice_cancel',
    access: 'sms:send',
    params: IdParams,
    handler: async ({ params, user, audit }) => {
      const district = noticeDistrict(user.scope);
      const row = await findNotice(db, params.id, district);
      if (!row) throw notFound('Notice');
      const changed = await db.transaction(async (trx) => {
        const cancelled = await cancelScheduledNotice(trx, params.id);
        if (cancelled) await audit(trx, { targetType: 'sms_notice', targetId: params.id });
        return cancelled;
      });
      if (!changed) throw conflict(`The notice is ${row.status}; only a scheduled notice can be cancelled`);
      try {
        await (await temporal.get()).workflow.getHandle(row.workflow_id).cancel();
      } catch (err) {
        // The workflow reads the cancelled status before it sends anything, so a missed cancel is harmless.
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
      return findNotice(db, params.id, district);
    },
  });

  api.add({
    method: 'get',
    path: '/api/sms/messages',
    summary: 'The message log: every SMS with its status, modem, attempts and last error',
    tags: ['sms'],
    access: 'sms:read',
    query: MessageList,
    handler: async ({ query }) => {
      const page = await listMessages(db, query);
      return listResult('sms/messages', page.rows, page.total, query.offset, page.hasMore);
    },
  });

  api.add({
    method: 'get',
    path: '/api/sms/messages/:id',
    summary: 'One message with its send attempts and their parts',
    tags: ['sms'],
    access: 'sms:read',
    params: IdParams,
    handler: async ({ params }) => {
      const message = await findMessage(db, params.id);
      if (!message) throw notFound('Message');
      return { ...message, attempts: await attemptsWithParts(db, params.id) };
    },
  });

  api.add({
    method: 'get',
    path: '/api/sms/inbound',
    summary: 'Received messages, with the topic and option a reply was matched to',
    tags: ['sms'],
    access: 'sms:read',
    query: InboundList,
    handler: async ({ query }) => {
      const page = await listInbound(db, query);
      return listResult('sms/inbound', page.rows, page.total, query.offset, page.hasMore);
    },
  });

  api.add({
    method: 'get',
    path: '/api/sms/topics/:id',
    summary: 'A reply topic and its counts per option (latest reply per phone)',
    tags: ['sms'],
    access: 'sms:read',
    params: IdParams,
    handler: async ({ params }) => {
      const topic = await findTopic(db, params.id);
      if (!topic) throw notFound('Topic');
      return { ...topic, ...(await topicCounts(db, params.id)) };
    },
  });

  api.add({
    method: 'get',
    path: '/api/sms/stats',
    summary: 'Traffic per modem and per day (Beijing time): sent, failed, delivered, received, and failed attempts',
    tags: ['sms'],
    access: 'sms:read',
    query: StatsQuery,
    handler: async ({ query }) => {
      const to = query.to ?? new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
      const from = query.from ?? new Date(Date.parse(to) - 29 * 86_400_000).toISOString().slice(0, 10);
      const start = new Date(`${from}T00:00:00+08:00`);
      const end = new Date(Date.parse(`${to}T00:00:00+08:00`) + 86_400_000);
      const list = await trafficByModemAndDay(db, start, end);
      const totals = Object.fromEntries(TRAFFIC_MEASURES.map((m) => [m, list.reduce((sum, r) => sum + r[m], 0)]));
      return { from, to, rows: list, totals };
    },
  });

  api.add({
    method: 'get',
    path: '/api/sms/modems',
    summary: 'Modem health as the SMS worker last reported it: status, signal, registration, storage',
    tags: ['sms'],
    access: 'sms:read',
    handler: async () => listModems(db, { all: true }),
  });
}
