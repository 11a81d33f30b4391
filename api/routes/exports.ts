import type { Response } from 'express';
import type { Knex } from 'knex';
import { planCopiedCases, planStartedCases, planTaskBox, planVisibleCases, type ListPlan, type TaskBox } from '../../db/cases/lists';
import { walkOperations } from '../../db/operation-log';
import { writeLedger, type LedgerColumn } from '../../lib/exports/ledger';
import { withTargetNames } from '../audit/target-names';
import { walkMessages } from '../../db/sms/messages';
import { CASE_LEDGER, COPIED_LEDGER, EXPORT_MAX, OPERATION_LEDGER, TASK_LEDGER, namedRows, smsLedger } from '../exports/ledgers';
import { clearExportWanted } from '../http/personal-export';
import type { Api, RouteContext } from '../http/route';
import { CaseList } from './cases';
import { OperationLogQuery } from './operation-log';
import { MessageList } from './sms';
import { CaseBoxList, TaskList } from './tasks';

/**
 * Excel ledgers (办件台账) of the case list, every inbox box, the SMS log and the operation log: the list's
 * own filter and sort (the same plan the screen pages through, db/cases/lists.ts), every row
 * the caller may see up to EXPORT_MAX, streamed as it is read. Each export is in the operation
 * log with its filter and row count; one that broke off is logged as failed.
 */
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function sendAs(res: Response, name: string, title: string): void {
  // Beijing date in the file name: what the clerk filing it would write.
  const stamp = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  res.setHeader('Content-Type', XLSX);
  res.setHeader('Content-Disposition', `attachment; filename="${name}-${stamp}.xlsx"; filename*=UTF-8''${encodeURIComponent(`${title}-${stamp}.xlsx`)}`);
}

async function streamLedger<T>(
  ctx: Pick<RouteContext<unknown, unknown, unknown>, 'res' | 'req' | 'audit'>,
  db: Knex,
  file: { name: string; title: string; target: string; filter: unknown; sort: unknown },
  columns: Array<LedgerColumn<T>>,
  rows: AsyncIterable<T[]>,
): Promise<undefined> {
  sendAs(ctx.res, file.name, file.title);
  const detail = { filter: file.filter, sort: file.sort };
  let written: number;
  try {
    written = await writeLedger(ctx.res, file.title, columns, rows);
  } catch (err) {
    await ctx.audit(db, { status: 500, result: 'failed', targetType: file.target, detail: { ...detail, error: String((err as Error).message ?? err).slice(0, 200) } }).catch(() => undefined);
    throw err;
  }
  await ctx.audit(db, { targetType: file.target, detail: { ...detail, rows: written, requestId: ctx.req.id ? String(ctx.req.id) : undefined } });
  return undefined;
}

export function registerExportRoutes(api: Api, db: Knex): void {
  api.add({
    method: 'get',
    path: '/api/cases/export',
    summary: `办件台账: the case list's filter and sort as an Excel workbook, every case the caller may see (at most ${EXPORT_MAX})`,
    tags: ['cases'],
    action: 'cases.export',
    access: 'signed-in',
    query: CaseList,
    handler: async ({ query, user, res, req, audit }) => {
      const plan = await planVisibleCases(db, user, query.filter, query.sort);
      return streamLedger({ res, req, audit }, db, { name: 'cases', title: '办件台账', target: 'case', filter: query.filter, sort: query.sort }, CASE_LEDGER, namedRows(db, plan));
    },
  });

  const caseBox = (box: 'started' | 'copied', title: string, plan: typeof planStartedCases) =>
    api.add({
      method: 'get',
      path: `/api/inbox/${box}/export`,
      summary: `${title}: the box's filter and sort as an Excel workbook`,
      tags: ['inbox'],
      action: `inbox.${box}_export`,
      access: 'signed-in',
      query: CaseBoxList,
      handler: async ({ query, user, res, req, audit }) => {
        const rows = namedRows(db, (await plan(db, user, query.filter, query.sort)) as ListPlan<Record<string, unknown>>);
        return streamLedger({ res, req, audit }, db, { name: `inbox-${box}`, title, target: 'case', filter: query.filter, sort: query.sort }, box === 'copied' ? COPIED_LEDGER : CASE_LEDGER, rows);
      },
    });
  caseBox('started', '我发起的', planStartedCases);
  caseBox('copied', '抄送我的', planCopiedCases);

  const taskBox = (box: TaskBox, title: string, access: 'signed-in' | 'cases:admin' = 'signed-in') =>
    api.add({
      method: 'get',
      path: `/api/inbox/${box}/export`,
      summary: `${title}: the box's filter and sort as an Excel workbook`,
      tags: ['inbox'],
      action: `inbox.${box}_export`,
      access,
      query: TaskList,
      handler: async ({ query, user, res, req, audit }) => {
        const plan = (await planTaskBox(db, box, user, query.filter, query.sort)) as unknown as ListPlan<Record<string, unknown>>;
        return streamLedger({ res, req, audit }, db, { name: `inbox-${box}`, title, target: 'task', filter: query.filter, sort: query.sort }, TASK_LEDGER, namedRows(db, plan));
      },
    });
  taskBox('todo', '待办任务', 'signed-in');
  taskBox('claimable', '待签任务', 'signed-in');
  taskBox('done', '已办任务', 'signed-in');
  taskBox('unassigned', '待分配任务', 'cases:admin');

  api.add({
    method: 'get',
    path: '/api/sms/messages/export',
    summary: `The SMS log's filter and sort as an Excel workbook (at most ${EXPORT_MAX} rows); numbers masked unless personal=clear (pii:export)`,
    tags: ['sms'],
    action: 'sms.messages_export',
    access: 'sms:read',
    query: MessageList,
    handler: async ({ query, user, res, req, audit }) => {
      const clear = clearExportWanted(req.query.personal, user.role);
      return streamLedger(
        { res, req, audit },
        db,
        { name: 'sms-messages', title: '短信记录', target: 'sms_message', filter: { ...query.filter, personal: clear ? 'clear' : 'masked' }, sort: query.sort },
        smsLedger(clear),
        walkMessages(db, query.filter, query.sort, { max: EXPORT_MAX }),
      );
    },
  });

  api.add({
    method: 'get',
    path: '/api/operation-logs/export',
    summary: `The operation log's filter and sort as an Excel workbook (at most ${EXPORT_MAX} rows); the export is itself logged`,
    tags: ['operation-log'],
    action: 'operation-logs.export',
    access: 'oplog:read',
    query: OperationLogQuery,
    handler: async ({ query, res, req, audit }) => {
      async function* named() {
        for await (const rows of walkOperations(db, query.filter, query.sort, { max: EXPORT_MAX })) yield await withTargetNames(db, rows);
      }
      return streamLedger({ res, req, audit }, db, { name: 'operation-log', title: '操作日志', target: 'operation_log', filter: query.filter, sort: query.sort }, OPERATION_LEDGER, named());
    },
  });
}
