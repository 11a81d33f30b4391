import crypto from 'node:crypto';
import { listModems } from '../../db/sms-modems';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Knex } from 'knex';
import { z } from 'zod';
import { ROLES, type Scope } from '../../lib/roles';
import { MAX_PARTS, planMessage } from '../../lib/sms/pdu';
import type { LazyTemporalClient } from '../../lib/temporal/client';
import { topicCounts } from '../../activities/sms/topics';
import { conflict, HttpError, notFound, temporalUnavailable } from '../http/errors';
import { listQuery, pageOf } from '../http/list-query';
import { listResult, type Api } from '../http/route';

/**
 * The SMS platform's API (M2–M5): categories, a user's own subscriptions, notices now or at a
 * set time, the message and inbound logs, reply topics, per-modem daily statistics and modem
 * health. Notices are carried out by the SMS worker (smsNoticeWorkflow on its queue); these
 * routes only record them and start or cancel that workflow.
 */
const IdParams = z.object({ id: z.coerce.number().int().positive() });

const CategoryBody = z.object({
  code: z.string().trim().min(1).max(32).regex(/^[a-z0-9_-]+$/, 'lower-case letters, digits, dash and underscore only'),
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

const MESSAGE_STATUSES = ['queued', 'sending', 'sent', 'delivered', 'failed'] as const;
const dateOnly = z.iso.date();

const MessageList = listQuery({
  sortable: ['id', 'created_at', 'sent_at', 'status', 'phone'] as const,
  defaultSort: ['id', 'DESC'],
  filter: z.object({
    status: z.enum(MESSAGE_STATUSES).optional(),
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
  filter: z.object({ status: z.enum(['scheduled', 'sending', 'done', 'cancelled', 'failed']).optional() }),
});

const CategoryList = listQuery({
  sortable: ['id', 'code', 'name'] as const,
  defaultSort: ['id', 'ASC'],
  filter: z.object({ active: z.boolean().optional(), q: z.string().max(64).optional() }),
});

const StatsQuery = z
  .object({ from: dateOnly.optional(), to: dateOnly.optional() })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'must not be after "to"', path: ['from'] });

/** A district user's notices reach, and their lists show, only their district. */
function noticeDistrict(scope: Scope): string | null {
  return scope.kind === 'district' || scope.kind === 'street' ? scope.districtCode : null;
}

// Days are Beijing time: the bureau's working day, whatever the database server's zone.
const DAY = (column: string) => `DATE(CONVERT_TZ(${column}, '+00:00', '+08:00'))`;

export function registerSmsRoutes(api: Api, db: Knex, temporal: LazyTemporalClient, taskQueue: string): void {
  api.add({
    method: 'get',
    path: '/api/sms/categories',
    summary: 'SMS categories people can subscribe to',
    tags: ['sms'],
    access: 'signed-in',
    query: CategoryList,
    handler: async ({ query }) => {
      const q = db('sms_categories').select('id', 'code', 'name', 'description', 'active', 'created_at', 'updated_at');
      if (query.filter.active !== undefined) q.where('active', query.filter.active);
      if (query.filter.q) q.where((w) => w.where('name', 'like', `%${query.filter.q}%`).orWhere('code', 'like', `%${query.filter.q}%`));
      const page = await pageOf(q, query, { id: 'id', code: 'code', name: 'name' }, 'id');
      return listResult('sms/categories', page.rows, page.total, query.offset);
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
        if (await trx('sms_categories').where('code', body.code).first('id')) throw conflict('The code is taken', [{ field: 'body.code', reason: 'already exists' }]);
        const [id] = await trx('sms_categories').insert(body);
        await audit(trx, { status: 201, targetType: 'sms_category', targetId: id, detail: { after: body } });
        return trx('sms_categories').where('id', id).first();
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
        const before = await trx('sms_categories').where('id', params.id).forUpdate().first();
        if (!before) throw notFound('Category');
        if (await trx('sms_categories').where('code', body.code).whereNot('id', params.id).first('id')) throw conflict('The code is taken', [{ field: 'body.code', reason: 'already exists' }]);
        await trx('sms_categories').where('id', params.id).update({ ...body, updated_at: new Date() });
        await audit(trx, { targetType: 'sms_category', targetId: params.id, detail: { before, after: body } });
        return trx('sms_categories').where('id', params.id).first();
      }),
  });

  const mySubscriptions = async (userId: number) => {
    const categories = await db('sms_categories as c')
      .leftJoin('sms_subscriptions as s', (j) => j.on('s.category_id', 'c.id').andOn('s.user_id', db.raw('?', [userId])))
      .where('c.active', true)
      .orderBy('c.id')
      .select('c.id', 'c.code', 'c.name', 'c.description', db.raw('s.user_id IS NOT NULL AS subscribed'));
    const list = (categories as Array<{ id: number; subscribed: number | boolean }>).map((c) => ({ ...c, subscribed: Boolean(c.subscribed) }));
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
        const existing = (await trx('sms_categories').whereIn('id', wanted).where('active', true).pluck('id')) as number[];
        const missing = wanted.filter((id) => !existing.includes(id));
        if (missing.length) {
          throw new HttpError(422, 'invalid_reference', 'Unknown or inactive categories', missing.map((id) => ({ field: 'body.categoryIds', reason: `category ${id} does not exist or is inactive` })));
        }
        const before = (await trx('sms_subscriptions').where('user_id', user.id).pluck('category_id')) as number[];
        await trx('sms_subscriptions').where('user_id', user.id).whereNotIn('category_id', wanted).delete();
        if (wanted.length) {
          await trx('sms_subscriptions').insert(wanted.map((category_id) => ({ user_id: user.id, category_id }))).onConflict(['user_id', 'category_id']).ignore();
        }
        await audit(trx, { targetType: 'user', targetId: user.id, detail: { before, after: wanted } });
      });
      return mySubscriptions(user.id);
    },
  });

  const noticeBase = (scope: Scope) => {
    const q = db('sms_notices as n').leftJoin('users as u', 'u.id', 'n.created_by').select('n.*', 'u.username as created_by_username');
    const district = noticeDistrict(scope);
    if (district) q.where('n.district_code', district);
    return q;
  };
  const noticeOut = (row: Record<string, unknown>) => ({ ...row, target: typeof row.target === 'string' ? JSON.parse(row.target) : row.target });

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
        const category = await db('sms_categories').where('id', body.target.categoryId).first('active');
        if (!category?.active) throw new HttpError(422, 'invalid_reference', 'Unknown or inactive category', [{ field: 'body.target.categoryId', reason: 'does not exist or is inactive' }]);
      }
      if (body.target.kind === 'organisation') {
        const org = await db('organisations').where('id', body.target.organisationId).first('district_code');
        if (!org) throw new HttpError(422, 'invalid_reference', 'Unknown organisation', [{ field: 'body.target.organisationId', reason: 'does not exist' }]);
        if (district && org.district_code !== district) throw new HttpError(403, 'forbidden', 'The organisation is outside your district');
      }
      const workflowId = `sms-notice-${crypto.randomUUID()}`;
      const id = await db.transaction(async (trx) => {
        const [noticeId] = await trx('sms_notices').insert({
          text: body.text,
          target_kind: body.target.kind,
          target: JSON.stringify(body.target),
          district_code: district,
          send_at: body.sendAt ? new Date(body.sendAt) : null,
          status: 'scheduled',
          workflow_id: workflowId,
          created_by: user.id,
        });
        await audit(trx, { status: 201, targetType: 'sms_notice', targetId: noticeId, detail: { target: body.target, sendAt: body.sendAt, length: body.text.length } });
        return Number(noticeId);
      });
      try {
        const client = await temporal.get();
        await client.workflow.start('smsNoticeWorkflow', { taskQueue, workflowId, args: [{ noticeId: id }] });
      } catch (err) {
        await db('sms_notices').where('id', id).update({ status: 'failed', error: `could not start: ${String((err as Error).message ?? err)}`.slice(0, 500) });
        throw temporalUnavailable('The notice was recorded as failed, not scheduled: Temporal is unreachable; send it again shortly');
      }
      return noticeOut(await noticeBase(user.scope).where('n.id', id).first());
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
      const q = noticeBase(user.scope);
      if (query.filter.status) q.where('n.status', query.filter.status);
      const page = await pageOf<Record<string, unknown>>(q, query, { id: 'n.id', created_at: 'n.created_at', send_at: 'n.send_at', status: 'n.status' }, 'n.id');
      return listResult('sms/notices', page.rows.map(noticeOut), page.total, query.offset);
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
      const row = await noticeBase(user.scope).where('n.id', params.id).first();
      if (!row) throw notFound('Notice');
      const byStatus = (await db('sms_messages').where('notice_id', params.id).groupBy('status').select('status').count({ n: '*' })) as Array<{ status: string; n: number | string }>;
      return { ...noticeOut(row), messages: Object.fromEntries(byStatus.map((r) => [r.status, Number(r.n)])) };
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
      const row = await noticeBase(user.scope).where('n.id', params.id).first();
      if (!row) throw notFound('Notice');
      const changed = await db.transaction(async (trx) => {
        const n = await trx('sms_notices').where({ id: params.id, status: 'scheduled' }).update({ status: 'cancelled', completed_at: new Date() });
        if (n) await audit(trx, { targetType: 'sms_notice', targetId: params.id });
        return n;
      });
      if (!changed) throw conflict(`The notice is ${row.status}; only a scheduled notice can be cancelled`);
      try {
        await (await temporal.get()).workflow.getHandle(row.workflow_id).cancel();
      } catch (err) {
        // The workflow reads the cancelled status before it sends anything, so a missed cancel is harmless.
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
      return noticeOut(await noticeBase(user.scope).where('n.id', params.id).first());
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
      const f = query.filter;
      const q = db('sms_messages').select(
        'id', 'phone', 'text', 'encoding', 'part_count', 'status', 'user_id', 'notice_id', 'topic_id', 'send_at', 'modem_imei',
        'attempts', 'error_code', 'error_text', 'created_at', 'sent_at', 'delivered_at', 'failed_at',
      );
      if (f.status) q.where('status', f.status);
      if (f.phone) q.where('phone', 'like', `%${f.phone}%`);
      if (f.modem_imei) q.where('modem_imei', f.modem_imei);
      if (f.notice_id) q.where('notice_id', f.notice_id);
      if (f.topic_id) q.where('topic_id', f.topic_id);
      if (f.created_from) q.where('created_at', '>=', new Date(`${f.created_from}T00:00:00+08:00`));
      if (f.created_to) q.where('created_at', '<', new Date(Date.parse(`${f.created_to}T00:00:00+08:00`) + 86_400_000));
      const page = await pageOf(q, query, { id: 'id', created_at: 'created_at', sent_at: 'sent_at', status: 'status', phone: 'phone' }, 'id');
      return listResult('sms/messages', page.rows, page.total, query.offset);
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
      const message = await db('sms_messages').where('id', params.id).first();
      if (!message) throw notFound('Message');
      const attempts = await db('sms_attempts').where('message_id', params.id).orderBy('attempt_no');
      const segments = await db('sms_segments')
        .where('message_id', params.id)
        .orderBy(['attempt_id', 'part_no'])
        .select('attempt_id', 'part_no', 'part_count', 'state', 'modem_imei', 'mr', 'report_status', 'submitted_at', 'reported_at');
      return { ...message, attempts: attempts.map((a: { id: number }) => ({ ...a, parts: segments.filter((s: { attempt_id: number }) => s.attempt_id === a.id) })) };
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
      const f = query.filter;
      const q = db('sms_inbound').select('id', 'modem_imei', 'sender', 'text', 'sent_at', 'received_at', 'topic_id', 'reply_option');
      if (f.sender) q.where('sender', 'like', `%${f.sender}%`);
      if (f.modem_imei) q.where('modem_imei', f.modem_imei);
      if (f.topic_id) q.where('topic_id', f.topic_id);
      const page = await pageOf(q, query, { id: 'id', received_at: 'received_at', sender: 'sender' }, 'id');
      return listResult('sms/inbound', page.rows, page.total, query.offset);
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
      const topic = await db('sms_topics').where('id', params.id).first();
      if (!topic) throw notFound('Topic');
      const recipients = await db('sms_topic_recipients').where('topic_id', params.id).count({ n: '*' }).first();
      return {
        ...topic,
        options: typeof topic.options === 'string' ? JSON.parse(topic.options) : topic.options,
        recipients: Number(recipients?.n ?? 0),
        ...(await topicCounts(db, params.id)),
      };
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
      const part = (table: string, column: string, modem: string, measure: string) =>
        db(table)
          .where(column, '>=', start)
          .where(column, '<', end)
          .groupByRaw('1, 2')
          .select(db.raw(`${DAY(column)} AS day`), db.raw(`COALESCE(${modem}, '') AS modem_imei`), db.raw(`COUNT(*) AS ${measure}`));
      const measures = ['sent', 'failed', 'delivered', 'inbound', 'failed_attempts'];
      const pieces = [
        part('sms_messages', 'sent_at', 'modem_imei', 'sent'),
        part('sms_messages', 'failed_at', 'modem_imei', 'failed'),
        part('sms_messages', 'delivered_at', 'modem_imei', 'delivered'),
        part('sms_inbound', 'received_at', 'modem_imei', 'inbound'),
        part('sms_attempts', 'finished_at', 'modem_imei', 'failed_attempts').where('status', 'failed'),
      ];
      const rows = new Map<string, Record<string, string | number>>();
      for (const [i, piece] of pieces.entries()) {
        for (const r of (await piece) as Array<{ day: Date | string; modem_imei: string } & Record<string, number | string>>) {
          const day = r.day instanceof Date ? r.day.toISOString().slice(0, 10) : String(r.day).slice(0, 10);
          const key = `${day}|${r.modem_imei}`;
          const row = rows.get(key) ?? { day, modem_imei: r.modem_imei, ...Object.fromEntries(measures.map((m) => [m, 0])) };
          row[measures[i]] = Number(r[measures[i]]);
          rows.set(key, row);
        }
      }
      const list = [...rows.values()].sort((a, b) => (a.day === b.day ? String(a.modem_imei).localeCompare(String(b.modem_imei)) : String(b.day).localeCompare(String(a.day))));
      const totals = Object.fromEntries(measures.map((m) => [m, list.reduce((sum, r) => sum + Number(r[m]), 0)]));
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
