import type { Knex } from 'knex';
import { createBenchTable, insertChunked, pick } from './sql';
import type { Volume } from './volume';
import { SMS_TEXTS } from './words';

const CHUNK = 250_000;
const DAY_SECONDS = 86_400;

/**
 * The two append-only logs at volume, spread over the last two years in id order: the SMS
 * message log (mostly delivered, some failed, across four modems) and the operation log (reads
 * are not logged: writes, sign-ins and denied attempts by the platform's users).
 */
export async function fillLogs(db: Knex, volume: Volume): Promise<void> {
  // Migration 081 adds the normalised phone the log's search reads; the generated phones are normalised already.
  const normalised = await db.schema.hasColumn('sms_messages', 'phone_normalised');
  const S = volume.sms;
  const smsSpacing = (2 * 365 * DAY_SECONDS) / S;
  const imeis = ['861234050000011', '861234050000029', '861234050000037', '861234050000045'];
  await insertChunked(db, S, CHUNK, (lo, hi) => {
    const v = `(${lo} + n.n)`;
    const status = `CASE WHEN MOD(${v}, 100) < 90 THEN 'delivered' WHEN MOD(${v}, 100) < 96 THEN 'sent' WHEN MOD(${v}, 100) < 98 THEN 'failed' ELSE 'queued' END`;
    return `INSERT INTO sms_messages (idempotency_key, phone, ${normalised ? 'phone_normalised, ' : ''}text, encoding, part_count, status, user_id, modem_imei, attempts, error_code, error_text,
        created_at, sent_at, delivered_at, failed_at, updated_at)
      SELECT z.idem, z.phone, ${normalised ? 'z.phone, ' : ''}z.text, 'ucs2', IF(CHAR_LENGTH(z.text) > 70, 2, 1), z.status, NULL, IF(z.status = 'queued', NULL, z.imei), IF(z.status = 'queued', 0, 1),
        IF(z.status = 'failed', 'CMS 500', NULL), IF(z.status = 'failed', '发送失败：网络未注册', NULL),
        z.at, IF(z.status IN ('sent', 'delivered'), TIMESTAMPADD(SECOND, 4, z.at), NULL), IF(z.status = 'delivered', TIMESTAMPADD(SECOND, 15, z.at), NULL),
        IF(z.status = 'failed', TIMESTAMPADD(SECOND, 60, z.at), NULL), TIMESTAMPADD(SECOND, 15, z.at)
      FROM (SELECT CONCAT('bench/sms/', ${v}) AS idem,
          CONCAT('1', ${pick(v, ['39', '38', '37', '58', '86', '51', '88'])}, LPAD(MOD(${v} * 7919, 100000000), 8, '0')) AS phone,
          ${pick(`${v} * 7`, SMS_TEXTS)} AS text, ${status} AS status, ${pick(v, imeis)} AS imei,
          TIMESTAMPADD(SECOND, -FLOOR((${S} - ${v}) * ${smsSpacing.toFixed(3)}), UTC_TIMESTAMP(3)) AS at
        FROM bench_numbers n WHERE n.n < ${hi - lo}) z`;
  });

  // Who acts in the log: the first few hundred users (the demo accounts and generated companies).
  await createBenchTable(db, 'bench_log_users', 'idx INT NOT NULL PRIMARY KEY, user_id INT UNSIGNED NOT NULL, username VARCHAR(64) NOT NULL, role VARCHAR(32) NOT NULL, organisation_id INT UNSIGNED NOT NULL');
  await db.raw('INSERT INTO bench_log_users SELECT ROW_NUMBER() OVER (ORDER BY id) - 1, id, username, role, organisation_id FROM users ORDER BY id LIMIT 300');
  const [[{ users }]] = (await db.raw('SELECT COUNT(*) AS users FROM bench_log_users')) as [[{ users: number }]];
  const O = volume.operationLog;
  const logSpacing = (2 * 365 * DAY_SECONDS) / O;
  const actions: Array<[string, string, string, string]> = [
    ['POST', '/api/auth/login', 'auth.login', 'user'],
    ['POST', '/api/cases', 'cases.start', 'case'],
    ['POST', '/api/tasks/:id/claim', 'tasks.claim', 'task'],
    ['POST', '/api/tasks/:id/decide', 'tasks.decide', 'task'],
    ['POST', '/api/auth/logout', 'auth.logout', 'user'],
    ['PUT', '/api/projects/:id', 'projects.update', 'project'],
    ['POST', '/api/files', 'files.upload', 'file'],
    ['POST', '/api/tasks/:id/decide', 'tasks.decide', 'task'],
    ['POST', '/api/auth/login', 'auth.login', 'user'],
    ['PUT', '/api/staff/:id', 'staff.update', 'staff'],
  ];
  const a = (i: number) => actions.map((x) => x[i]);
  // Bulk rows without chain_seq/chain_hmac: the list's cost does not depend on them, and chaining
  // millions of rows one by one would take hours. `audit:verify` therefore fails on a bench database.
  await insertChunked(db, O, CHUNK, (lo, hi) => {
    const v = `(${lo} + n.n)`;
    const which = `${v} * 7`;
    const result = `CASE WHEN MOD(${v}, 100) < 97 THEN 'ok' WHEN MOD(${v}, 100) < 99 THEN 'denied' ELSE 'failed' END`;
    return `INSERT INTO operation_log (at, user_id, username, role, organisation_id, ip, method, path, action, target_type, target_id, result, status, request_id)
      SELECT TIMESTAMPADD(SECOND, -FLOOR((${O} - ${v}) * ${logSpacing.toFixed(3)}), UTC_TIMESTAMP(3)), lu.user_id, lu.username, lu.role, lu.organisation_id,
        CONCAT('10.32.', MOD(${v}, 250), '.', MOD(${v} * 7, 250)),
        ${pick(which, a(0))}, REPLACE(${pick(which, a(1))}, ':id', MOD(${v} * 31, 1000000) + 1), ${pick(which, a(2))}, ${pick(which, a(3))}, MOD(${v} * 31, 1000000) + 1,
        ${result}, CASE ${result} WHEN 'ok' THEN 200 WHEN 'denied' THEN 403 ELSE 500 END, CONCAT('bench-', ${v})
      FROM bench_numbers n JOIN bench_log_users lu ON lu.idx = MOD(${v} * 31, ${users})
      WHERE n.n < ${hi - lo}
      ORDER BY n.n`;
  });
}
