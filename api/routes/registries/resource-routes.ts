import type { Knex } from 'knex';
import { z } from 'zod';
import type { Actor } from '../../../db/registries/actor';
import { importSheet, parseUpload } from '../../../db/registries/import';
import { IMPORT_LIMITS, uploadFormat } from '../../../db/registries/import-limits';
import { clearExportWanted } from '../../http/personal-export';
import { hasPersonalFields, maskRecord, personalFieldNames, personalPart } from '../../../db/registries/pii';
import type { RegistryResource } from '../../../db/registries/resource';
import { writeExport } from '../../../db/registries/spreadsheet';
import { bodySchema, getRecord, listRecords, reviewRecord, saveRecord } from '../../../db/registries/store';
import type { SessionUser } from '../../auth/sessions';
import { missingOrDenied } from '../../http/errors';
import { listQuery } from '../../http/list-query';
import { listResult, type Api } from '../../http/route';
import { mapped } from './errors';
import { readRawBody } from './raw-body';

const IdParams = z.object({ id: z.coerce.number().int().positive() });

export function actorOf(user: SessionUser, requestId: unknown): Actor {
  return { userId: user.id, username: user.username, role: user.role, organisationId: user.organisationId, scope: user.scope, requestId: requestId ? String(requestId) : null };
}

/**
 * The REST routes of one registry, in react-admin's simple-rest shape: list (filter, sort,
 * page, Content-Range), one, create, replace, review, the record's history, and the Excel
 * export and import of the current filter.
 *
 * Personal fields (db/registries/pii.ts) leave the server masked in every answer; a registry
 * that has some also gets `POST /:id/unmask` (pii:read, logged) and clear exports on request
 * (`personal=clear`, pii:export, logged like every export).
 */
export function registerRegistryRoutes(api: Api, db: Knex, res: RegistryResource): void {
  const base = `/api/${res.name}`;
  const tags = ['registries'];
  const filter = res.filter.extend({ q: z.string().max(64).optional(), id: z.array(z.coerce.number().int()).max(500).optional() });
  const ListQuery = listQuery({ sortable: res.sortable, defaultSort: res.defaultSort, filter });
  const Body = bodySchema(res);
  const personal = hasPersonalFields(res);
  /** What any answer shows of a record: its personal fields masked. */
  const shown = <T extends Record<string, unknown> | null>(record: T): T => (record ? maskRecord(res, record) : record);

  api.add({
    method: 'get',
    path: base,
    summary: `${res.title}: list within the caller’s scope`,
    tags,
    action: `${res.name}.list`,
    access: res.readPermission,
    query: ListQuery,
    handler: async ({ query, user }) => {
      const page = await listRecords(db, res, user.scope, query);
      return listResult(res.name, page.rows.map(shown), page.total, query.offset, page.hasMore);
    },
  });

  api.add({
    method: 'get',
    path: `${base}/export`,
    summary: `${res.title}: the current filter and sort as an Excel workbook (Chinese headers; the import reads the same layout; personal fields masked unless personal=clear)`,
    tags,
    action: `${res.name}.export`,
    access: res.readPermission,
    query: ListQuery,
    handler: async ({ query, user, res: http, req, audit }) => {
      // `personal=clear` is read next to the list parameters (the list schema is a transform the OpenAPI document cannot merge).
      const clear = clearExportWanted(req.query.personal, user.role, personal);
      const stamp = new Date().toISOString().slice(0, 10);
      http.setHeader('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      http.setHeader('Content-Disposition', `attachment; filename="${res.name}-${stamp}.xlsx"; filename*=UTF-8''${encodeURIComponent(`${res.title}-${stamp}.xlsx`)}`);
      const detail = { filter: query.filter, sort: query.sort, personal: personal ? (clear ? 'clear' : 'masked') : 'none' };
      let rows: number;
      try {
        rows = await writeExport(db, res, user.scope, { filter: query.filter, sort: query.sort }, http, { clearPersonal: clear });
      } catch (err) {
        // A download that broke off is logged too: some rows may have left.
        await audit(db, { status: 500, result: 'failed', targetType: res.entity, detail: { ...detail, error: String((err as Error).message ?? err).slice(0, 200) } }).catch(() => undefined);
        throw err;
      }
      // Every export is in the operation log with its filter and row count (issue 12).
      await audit(db, { targetType: res.entity, detail: { ...detail, rows, requestId: req.id ? String(req.id) : undefined } });
      return undefined;
    },
  });

  if (res.importKey) {
    api.add({
      method: 'post',
      path: `${base}/import`,
      summary: `${res.title}: import an .xlsx or .csv file sent as the raw request body; all rows or none, with a report of rejected rows`,
      tags,
      action: `${res.name}.import`,
      access: res.writePermission,
      query: z.object({ dry_run: z.enum(['true', 'false']).optional() }),
      handler: async ({ req, query, user, audit }) => {
        const bytes = await readRawBody(req, IMPORT_LIMITS.uploadBytes);
        // Refusals (too large: 413, not a readable workbook: 400) come before any write.
        const format = await mapped(async () => uploadFormat(bytes));
        const sheet = await mapped(() => parseUpload(bytes, format));
        const report = await mapped(() => importSheet(db, res, actorOf(user, req.id), sheet, { dryRun: query.dry_run === 'true' }));
        await audit(db, { targetType: res.entity, detail: { format, rows: report.rows, created: report.created, updated: report.updated, rejected: report.rejected.length, committed: report.committed } });
        return report;
      },
    });
  }

  api.add({
    method: 'get',
    path: `${base}/:id`,
    summary: `${res.title}: one record with its parts, if within the caller’s scope`,
    tags,
    action: `${res.name}.get`,
    access: res.readPermission,
    params: IdParams,
    handler: async ({ params, user }) => {
      const record = await getRecord(db, res, user.scope, params.id);
      if (!record) throw await missingOrDenied(db, res.table, params.id, res.title, res.name);
      return shown(record);
    },
  });

  if (personal) {
    api.add({
      method: 'post',
      path: `${base}/:id/unmask`,
      summary: `${res.title}: the personal fields of one record in clear (logged: who, which record, which fields)`,
      tags,
      action: `${res.name}.unmask`,
      access: 'pii:read',
      params: IdParams,
      handler: async ({ params, user, audit }) => {
        // Within the caller's scope only: a district unmasks its own district's people.
        const record = await getRecord(db, res, user.scope, params.id);
        if (!record) throw await missingOrDenied(db, res.table, params.id, res.title, res.name);
        const part = personalPart(res, record);
        const children = Object.fromEntries((res.children ?? []).filter((c) => Array.isArray(part[c.key])).map((c) => [c.key, (part[c.key] as Array<{ id: unknown }>).map((r) => r.id)]));
        // Logged before the answer leaves: a failed log write means no clear data is sent.
        await audit(db, { targetType: res.entity, targetId: params.id, detail: { fields: personalFieldNames(res), ...children } });
        return part;
      },
    });
  }

  api.add({
    method: 'post',
    path: base,
    summary: `${res.title}: create`,
    tags,
    action: `${res.name}.create`,
    access: res.writePermission,
    status: 201,
    body: Body,
    handler: async ({ body, user, req, audit }) =>
      mapped(() =>
        db.transaction(async (trx) => {
          const saved = await saveRecord(trx, res, actorOf(user, req.id), null, body as Record<string, unknown>);
          await audit(trx, { status: 201, targetType: res.entity, targetId: saved.id });
          return shown(await getRecord(trx, res, { kind: 'city' }, saved.id));
        }),
      ),
  });

  api.add({
    method: 'put',
    path: `${base}/:id`,
    summary: `${res.title}: replace (an edit clears the approved flag until the record is reviewed again)`,
    tags,
    action: `${res.name}.update`,
    access: res.writePermission,
    params: IdParams,
    body: Body,
    handler: async ({ params, body, user, req, audit }) =>
      mapped(() =>
        db.transaction(async (trx) => {
          const saved = await saveRecord(trx, res, actorOf(user, req.id), params.id, body as Record<string, unknown>);
          await audit(trx, { targetType: res.entity, targetId: params.id, detail: { changed: saved.changed } });
          return shown(await getRecord(trx, res, { kind: 'city' }, params.id));
        }),
      ),
  });

  if (res.approvable) {
    api.add({
      method: 'post',
      path: `${base}/:id/review`,
      summary: `${res.title}: mark as reviewed (approved) after changes`,
      tags,
      action: `${res.name}.review`,
      access: 'registries:review',
      params: IdParams,
      handler: async ({ params, user, req, audit }) =>
        mapped(() =>
          db.transaction(async (trx) => {
            await reviewRecord(trx, res, actorOf(user, req.id), params.id);
            await audit(trx, { targetType: res.entity, targetId: params.id });
            return shown(await getRecord(trx, res, { kind: 'city' }, params.id));
          }),
        ),
    });
  }
}
