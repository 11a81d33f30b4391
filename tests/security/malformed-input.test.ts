import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { creditCodeCheckChar, idNumberCheckChar } from '../../db/registries/identifiers';
import { stopParseWorkers } from '../../db/registries/xlsx-pool';
import { DEMO_PASSWORD } from '../../db/seeds/demo';
import type { Config } from '../../lib/config';
import { PERMISSIONS, can, type Permission, type Role } from '../../lib/roles';
import type { LazyTemporalClient } from '../../lib/temporal/client';
import { decide, openTaskAt, startCase, startPlatform, type Platform } from '../approvals/harness';
import { waitFor } from '../helpers/wait';
import { testApp } from '../helpers/api';
import { documentOperations, fillPath, rawRequest, runPool, serve, signInCookie, type DocOperation, type JsonSchema, type RawResponse, type Served } from './probe-http';

/**
 * Malformed input over the whole API: every write operation of the OpenAPI document (POST, PUT,
 * PATCH, DELETE) and every read, as the administrator and as an enterprise user, with wrong
 * types, huge strings (100 KB to 2 MB), JSON nested 10,000 and 100,000 deep, invalid JSON, the
 * wrong content types (text/plain, form-encoded, multipart, XML, none), NUL bytes, SQL / NoSQL /
 * template injection strings, impossible dates, negative / huge / fractional / NaN ids, the
 * prototype-pollution keys `__proto__` and `constructor`, and unicode edge cases (lone
 * surrogates, RTL overrides, zero-width and combining characters, 4-byte characters).
 *
 * Each field of a write's body is replaced in turn in an otherwise valid body (hand-written for
 * the routes where a valid body needs real references, else derived from the schema in the
 * OpenAPI document), so a wrong value reaches the code behind validation, not just zod.
 *
 * It asserts: at least 5,000 requests, no 5xx (each listed with route and payload), every request
 * answered in time, no pollution of Object.prototype, and the process's memory growth bounded
 * (heap kept after a full GC under 300 MB, resident peak under 600 MB).
 * Refusals of any kind are fine (400, 401, 403, 404, 409, 413, 415, 422, 429, 431).
 */
const CONCURRENCY = 8;
const REQUEST_TIMEOUT_MS = 30_000;
const MIN_REQUESTS = 5_000;
/** What the process may keep after a full GC (the server, the workers and this test all live in it). */
const MAX_HEAP_GROWTH = 300 * 1024 * 1024;
/** Resident memory at its peak, which also holds in-flight bodies, Temporal's native core and pages V8 has not yet returned. */
const MAX_RSS_PEAK_GROWTH = 600 * 1024 * 1024;
const STRONG_PASSWORD = 'Qx9!mV2#pL7$wR4%';

/**
 * Known failures: 5xx answers found here whose fix belongs to a file under heavy edit elsewhere
 * or needs a redesign. Each is reported but does not fail the test.
 */
const KNOWN_FAILURES: Array<{ op: RegExp; probe: RegExp; why: string }> = [];

/** A full collection (V8's gc, exposed at run time for this measurement). */
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

type UserKey = 'admin' | 'enterprise';
interface Probe {
  user: UserKey;
  op: string;
  label: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** Sent after everything else (it ends the session). */
  last?: boolean;
}

interface Real {
  caseId: number;
  caseNumber: string;
  withdrawCase: number;
  terminateCase: number;
  taskId: number;
  tenderCase: number;
  bidId: number;
  fileId: string;
  noticeId: number;
  cancelNotice: number;
  userId: number;
  adminId: number;
  orgId: number;
  dongwu: number;
  categoryId: number;
  messageId: number;
  topicId: number;
  records: Record<string, { id: number; body: Record<string, unknown> }>;
  staffIdNumber: string;
  dongwuCredit: string;
  projectCode: string;
}

// ── value pools ──
const DEEP = 10_000;
const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const manyKeys = (n: number) => `{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(',')}}`;
/** Values JSON.stringify cannot write (too deep, beyond a double), spliced into the text by marker. */
const SPLICE = (marker: string) => `@@${marker}@@`;
const SPLICES: Record<string, string> = {
  deep10k: deepObject(DEEP),
  deep1k: deepObject(1000),
  manyKeys: manyKeys(20_000),
  unsafeInt: '9007199254740993',
  overflow: '1e400',
  negOverflow: '-1e400',
  underflow: '1e-400',
};
const spliced = (text: string) => text.replace(/"@@(\w+)@@"/g, (_m, k: string) => SPLICES[k]);
const PROTO = () => JSON.parse('{"__proto__":{"polluted":"yes"}}') as unknown;

type Kind = 'integer' | 'number' | 'string' | 'date' | 'datetime' | 'boolean' | 'enum' | 'array' | 'object';
/** Per kind of field, its worst values first (a field with a small budget gets the first ones). */
const VALUES: Record<Kind, Array<[string, unknown]>> = {
  integer: [
    ['2^32, beyond INT UNSIGNED', 4294967296],
    ['2^53+1', SPLICE('unsafeInt')],
    ['-1', -1],
    ['1.5', 1.5],
    ['1e400 (Infinity)', SPLICE('overflow')],
    ['"1"', '1'],
    ['fullwidth "１"', '１'],
    ['2^31', 2147483648],
    ['-0', -0],
    ['sql', '1 OR 1=1'],
    ['null', null],
    ['nosql {$gt:0}', { $gt: 0 }],
    ['[]', []],
  ],
  number: [
    ['1e400 (Infinity)', SPLICE('overflow')],
    ['-1e400', SPLICE('negOverflow')],
    ['1e-400', SPLICE('underflow')],
    ['5e-324', 5e-324],
    ['-1e308', -1e308],
    ['many decimals', 1.0000000000000002],
    ['"1.5"', '1.5'],
    ['"NaN"', 'NaN'],
    ['2^32', 4294967296],
    ['null', null],
    ['[]', []],
  ],
  string: [
    ['NUL, emoji and a lone surrogate', 'a\u0000😀\ud800b'],
    ['100 KB', 'x'.repeat(100_000)],
    ['sql injection', "' OR '1'='1' -- "],
    ['template injection', '{{7*7}}${7*7}<%= 7*7 %>#{7*7}'],
    ['rtl override, zero width, combining', '\u202egnp.exe\u200b\u200d\ufeffe\u0301\u0301\u0301'],
    ['a number', 12345],
    ['empty', ''],
    ['4096 CJK characters', 'あ'.repeat(4096)],
    ['sql sleep', "1' AND SLEEP(5) AND '1'='1"],
    ['sql union', "x' UNION SELECT password_hash FROM users -- "],
    ['xss', '<script>alert(1)</script>'],
    ['path traversal', '../../../../etc/passwd'],
    ['crlf', 'a\r\nSet-Cookie: x=1'],
    ['nosql {$ne:null}', { $ne: null }],
    ['array', ['x']],
    ['CJK extension B', '𠀀𪚥'],
    ['spaces only', '   '],
    ['control characters', '\u0001\u0007\u001b[31m'],
    ['reversed surrogates', '\udc00\ud800'],
    ['null', null],
    ['__proto__', '__proto__'],
  ],
  date: [
    ['feb 30', '2023-02-30'],
    ['feb 29 of a common year', '2023-02-29'],
    ['zero date', '0000-00-00'],
    ['year 0001', '0001-01-01'],
    ['9999-12-31', '9999-12-31'],
    ['month 13', '2023-13-01'],
    ['no padding', '2023-1-1'],
    ['with a time', '2023-01-01T00:00:00Z'],
    ['a number', 20230101],
    ['fullwidth digits', '２０２３-０１-０１'],
    ['null', null],
  ],
  datetime: [
    ['leap second', '2016-12-31T23:59:60Z'],
    ['year 275760', '+275760-09-13T00:00:00.000Z'],
    ['negative year', '-000001-01-01T00:00:00Z'],
    ['feb 30', '2023-02-30T00:00:00Z'],
    ['+14:00 at the end of 9999', '9999-12-31T23:59:59.999+14:00'],
    ['date only', '2023-01-01'],
    ['a number', 1e15],
    ['"now"', 'now'],
    ['null', null],
  ],
  boolean: [
    ['"true"', 'true'],
    ['1', 1],
    ['"是"', '是'],
    ['null', null],
    ['[]', []],
    ['{}', {}],
  ],
  enum: [
    ['unknown value', 'no_such_value'],
    ['upper case', 'SYSADMIN'],
    ['sql', "x' OR '1'='1"],
    ['a number', 1],
    ['null', null],
    ['array', ['x']],
    ['__proto__', '__proto__'],
    ['constructor', 'constructor'],
  ],
  array: [
    ['100,000 items', Array.from({ length: 100_000 }, (_, i) => i)],
    ['deep 10k', SPLICE('deep10k')],
    ['[null]', [null]],
    ['nested arrays', [[[[]]]]],
    ['object', {}],
    ['string', 'x'],
    ['1,001 items', Array.from({ length: 1001 }, () => 1)],
    ['[__proto__ object]', [PROTO()]],
    ['null', null],
  ],
  object: [
    ['deep 10k', SPLICE('deep10k')],
    ['__proto__ key', PROTO()],
    ['constructor key', { constructor: { prototype: { polluted: 'yes' } } }],
    ['20,000 keys', SPLICE('manyKeys')],
    ['300 KB value', { a: 'x'.repeat(300_000) }],
    ['odd keys', { 'a b': 1, '': 2, $where: 'sleep(1)', '1x': 4, 'a.b': 5 }],
    ['deep 1000', SPLICE('deep1k')],
    ['array', []],
    ['string', 'x'],
    ['null', null],
  ],
};
const DATE_PATTERN = /\\d\{4\}-\\d\{2\}-\\d\{2\}/;
function kindOf(schema: JsonSchema | undefined): Kind {
  if (!schema) return 'object';
  if (schema.enum) return 'enum';
  if (schema.oneOf || schema.anyOf) return 'object';
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  if (type === 'string') return schema.format === 'date' || (schema.pattern && DATE_PATTERN.test(schema.pattern)) ? 'date' : schema.format === 'date-time' ? 'datetime' : 'string';
  if (type === 'integer' || type === 'number' || type === 'boolean' || type === 'array') return type;
  return 'object';
}

const BAD_IDS = ['0', '-1', '1.5', 'NaN', '1e309', '99999999999999999999', '4294967296', '0x0', "1'%20OR%20'1'%3D'1", '%00', '%E0%A4%A', '%F0%9F%98%80', 'x'.repeat(3000), '__proto__'];
const BAD_QUERY_STRINGS = ['', '%00', "'%20OR%201%3D1%20--", '%7B%22%24gt%22%3A%22%22%7D', '2023-02-30', '0000-00-00', '1e309', 'x'.repeat(5000), '%ED%A0%80', '__proto__'];
const enc = encodeURIComponent;
const LIST_QUERIES: Array<[string, string]> = [
  ['sort truncated', `sort=${enc('["id"')}`],
  ['sort unknown column', `sort=${enc('["password_hash","ASC"]')}`],
  ['sort injected direction', `sort=${enc('["id","ASC; DROP TABLE users"]')}`],
  ['sort object', 'sort=%7B%7D'],
  ['sort deep', `sort=${enc(deepArray(2000))}`],
  ['range negative', `range=${enc('[-1,5]')}`],
  ['range 1e309', `range=${enc('[0,1e309]')}`],
  ['range reversed', `range=${enc('[5,1]')}`],
  ['range unsafe integers', `range=${enc('[9007199254740993,9007199254741000]')}`],
  ['range over a page', `range=${enc('[0,499999]')}`],
  ['range offset 4e9', `range=${enc('[4000000000,4000000001]')}`],
  ['filter truncated', 'filter=%7B'],
  ['filter null', 'filter=null'],
  ['filter __proto__', `filter=${enc('{"__proto__":{"polluted":"yes"}}')}`],
  ['filter constructor', `filter=${enc('{"constructor":{"prototype":{"polluted":"yes"}}}')}`],
  ['filter sql and wildcards', `filter=${enc(JSON.stringify({ q: "' OR 1=1 -- %_\\" }))}`],
  ['filter nosql', `filter=${enc(JSON.stringify({ q: { $gt: '' } }))}`],
  ['filter ids out of range', `filter=${enc('{"id":[1e309,-1,0.5,4294967296]}')}`],
  ['filter 600 ids', `filter=${enc(JSON.stringify({ id: Array.from({ length: 600 }, (_, i) => i) }))}`],
  ['filter deep', `filter=${enc(deepObject(2000))}`],
  ['filter NUL and a lone surrogate', `filter=${enc('{"q":"\\u0000\\ud800"}')}`],
  [
    'filter impossible dates',
    `filter=${enc(JSON.stringify({ from: '2023-02-30T00:00:00Z', created_from: '2023-02-30', occurred_from: '2023-02-30', due_before: '+275760-09-13T00:00:00Z', term_ends_by: '2023-02-30', qualification_expires_by: '0000-00-00' }))}`,
  ],
  ['repeated parameters', 'sort=a&sort=b&range=1&range=2&filter=1&filter=2'],
  ['bracket parameters', 'filter[q]=x&range[0]=1&sort[]=id'],
  ['url over 16 KB', `filter=${enc(JSON.stringify({ q: 'x'.repeat(20_000) }))}`],
];

function sampleOf(schema: JsonSchema | undefined, depth = 0): unknown {
  if (!schema || depth > 6) return null;
  if (schema.default !== undefined) return schema.default;
  if (schema.const !== undefined) return schema.const;
  if (schema.enum?.length) return schema.enum[0];
  const alt = schema.oneOf ?? schema.anyOf;
  if (alt?.length) return sampleOf(alt.find((s) => s.type !== 'null') ?? alt[0], depth + 1);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'string':
      if (schema.format === 'date') return '2026-01-15';
      if (schema.format === 'date-time') return new Date(Date.now() + 86_400_000).toISOString();
      if (schema.format === 'uuid') return '00000000-0000-4000-8000-000000000000';
      return 'x'.repeat(Math.max(1, schema.minLength ?? 1));
    case 'integer':
    case 'number':
      return Math.max(1, schema.minimum ?? 1);
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const k of schema.required ?? []) out[k] = sampleOf(schema.properties?.[k], depth + 1);
      return out;
    }
    default:
      return null;
  }
}

/** A valid body per write route, where one needs real references; else the schema's sample. */
function baseBodies(r: Real): Record<string, (i: number) => unknown> {
  const rec = (name: string) => () => r.records[name].body;
  return {
    'POST /api/auth/login': () => ({ username: 'no.such.user', password: 'not-a-password' }),
    'POST /api/auth/password': () => ({ currentPassword: 'not-the-password', newPassword: STRONG_PASSWORD }),
    'POST /api/users': (i) => ({ username: `fuzz.user${i}`, display_name: '模糊测试', role: 'city_staff', organisation_id: r.orgId, password: STRONG_PASSWORD, phone: null }),
    'PUT /api/users/{id}': () => ({ display_name: '赵磊（项目经理）', phone: '13800000011', role: 'project_manager', organisation_id: r.dongwu, active: true }),
    'POST /api/users/{id}/password': () => ({ password: STRONG_PASSWORD }),
    'POST /api/organisations': (i) => ({ code: `FUZZ-${i}`, name: '模糊测试机构', kind: 'enterprise' }),
    'PUT /api/organisations/{id}': () => ({ code: 'FUZZ-TARGET', name: '模糊测试目标机构', kind: 'public' }),
    'POST /api/tenders/{caseId}/bids': () => ({ depositPaid: 50_000 }),
    'POST /api/tenders/{caseId}/scores': () => ({ scores: [{ bidId: r.bidId, score: 50 }] }),
    'POST /api/processes': () => ({ xml: SAMPLE_XML, makeCurrent: false }),
    'PUT /api/processes/{key}/current': () => ({ version: 1 }),
    'PUT /api/processes/{key}/coding-rule': () => ({ pattern: 'SA-{yyyy}-{seq:6}' }),
    'POST /api/cases': () => ({ processKey: 'sample-approval', title: '模糊测试', formData: { note: 'x' } }),
    'POST /api/cases/{id}/withdraw': () => ({ comment: '模糊测试' }),
    'POST /api/cases/{id}/supply': () => ({ comment: '模糊测试', formData: { note: 'x' } }),
    'POST /api/cases/{id}/terminate': () => ({ comment: '模糊测试' }),
    'POST /api/cases/{id}/messages': () => ({ name: 'fuzzMessage', variables: { note: 'x' } }),
    'POST /api/messages': () => ({ name: 'fuzzMessage', correlationKey: 'NO-SUCH-CASE', variables: { note: 'x' } }),
    'POST /api/tasks/{id}/decide': () => ({ outcome: 'approve', comment: '模糊测试', formData: { note: 'x' } }),
    'POST /api/tasks/{id}/transfer': () => ({ to: r.userId, comment: '模糊测试' }),
    'POST /api/tasks/{id}/delegate': () => ({ to: r.userId }),
    'POST /api/tasks/{id}/add-signer': () => ({ to: r.userId }),
    'POST /api/tasks/{id}/copy': () => ({ to: [r.userId] }),
    'POST /api/tasks/{id}/remind': () => ({ comment: '模糊测试' }),
    'POST /api/sms/categories': (i) => ({ code: `fuzz_${i}`, name: '模糊', description: null, active: false }),
    'PUT /api/sms/categories/{id}': () => ({ code: 'policy', name: '政策法规', description: null, active: true }),
    'PUT /api/sms/subscriptions/me': () => ({ categoryIds: [r.categoryId] }),
    'POST /api/sms/notices': () => ({ text: '模糊测试通知', target: { kind: 'users', userIds: [r.adminId] }, sendAt: new Date(Date.now() + 5 * 86_400_000).toISOString() }),
    'POST /api/projects': (i) => ({ code: `FZ-${i}`, name: `模糊测试项目${i}`, address: '苏州市姑苏区人民路1号', district_code: '320508', nature: 'residential_multi_storey', management_mode: 'entrusted', enterprise_id: r.dongwu }),
    'PUT /api/projects/{id}': rec('projects'),
    'POST /api/enterprises': (i) => ({ name: `苏州模糊测试物业${i}有限公司`, kind: 'property_service', credit_code: creditCode(i), legal_representative: '李四', district_code: '320508' }),
    'PUT /api/enterprises/{id}': rec('enterprises'),
    'POST /api/staff': (i) => ({ enterprise_id: r.dongwu, name: '模糊测试', id_number: idNumber(i), role: 'professional' }),
    'PUT /api/staff/{id}': rec('staff'),
    'POST /api/committees': (i) => ({ name: `模糊测试业主委员会${i}`, project_id: r.records.projects.id, status: 'preparing' }),
    'PUT /api/committees/{id}': rec('committees'),
    'POST /api/credit-events': (i) => ({ enterprise_id: r.dongwu, project_id: r.records.projects.id, category: 'complaint', points: -1, source_ref: `FUZZ-${i}`, occurred_on: '2026-01-15', description: '模糊测试', status: 'pending' }),
    'PUT /api/credit-events/{id}': rec('credit-events'),
    'POST /api/trainings': () => ({ staff_id: r.records.staff.id, kind: 'training', title: '模糊测试培训', held_on: '2026-01-15', result: 'attended' }),
    'PUT /api/trainings/{id}': rec('trainings'),
  };
}

const SAMPLE_XML = fs.readFileSync(path.resolve(__dirname, '../../processes/sample-approval.bpmn'), 'utf8');
/** Route-specific bodies beyond the generic ones: XML for the process publisher, odd but valid coding rules. */
const EXTRA_BODIES: Record<string, Array<[string, unknown]>> = {
  'POST /api/processes': [
    ['xml nested 10,000 deep', { xml: `<?xml version="1.0"?>${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}` }],
    [
      'xml billion laughs',
      { xml: `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">${Array.from({ length: 9 }, (_, i) => `<!ENTITY ${String.fromCharCode(98 + i)} "${`&${String.fromCharCode(97 + i)};`.repeat(10)}">`).join('')}]><l>&j;</l>` },
    ],
    ['xml external entity', { xml: '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&e;</bpmn:definitions>' }],
    ['not xml', { xml: '{"bpmn": true}' }],
    ['xml with 50,000 attributes', { xml: `<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" ${Array.from({ length: 50_000 }, (_, i) => `a${i}="1"`).join(' ')}/>` }],
    ['process id with injection', { xml: SAMPLE_XML.replace(/id="sample-approval"/, `id="x'; DROP TABLE processes; --"`), makeCurrent: false }],
    ['process name of 100 KB', { xml: SAMPLE_XML.replace(/name="通用审批（示例）"/, `name="${'名'.repeat(100_000)}"`), makeCurrent: false }],
    ['process with a NUL and a lone surrogate', { xml: SAMPLE_XML.replace(/name="通用审批（示例）"/, 'name="a\u0000\ud800"'), makeCurrent: false }],
    ['xml truncated', { xml: SAMPLE_XML.slice(0, SAMPLE_XML.length / 2) }],
  ],
  'PUT /api/processes/{key}/coding-rule': [
    ['rule with a 12-digit sequence', { pattern: 'SA-{seq:12}' }],
    ['rule with a 1-digit sequence', { pattern: 'SA-{seq:1}' }],
    ['rule with every token', { pattern: '{yyyy}{mm}{dd}-{district}-{seq:9}' }],
    ['rule with printf tokens', { pattern: '%s%n%d-{seq:6}' }],
    ['rule without a sequence', { pattern: 'SA-{yyyy}' }],
    ['rule with an unknown token', { pattern: 'SA-{nope}-{seq:6}' }],
    ['rule with emoji and NUL', { pattern: '😀\u0000{seq:6}' }],
  ],
};

const creditCode = (n: number) => {
  const first = `91320508FZ1MX${String(n % 10000).padStart(4, '0')}`;
  return first + creditCodeCheckChar(first);
};
const idNumber = (n: number) => {
  const first = `32050819850101${String(n % 1000).padStart(3, '0')}`;
  return first + idNumberCheckChar(first);
};

/** Real ids per path parameter, so a body reaches the code behind the route's lookup. */
function realParams(op: DocOperation, r: Real): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const name of op.pathParams) {
    if (name === 'key') out[name] = 'sample-approval';
    else if (name === 'version') out[name] = 1;
    else if (name === 'number') out[name] = r.caseNumber;
    else if (name === 'caseId') out[name] = r.tenderCase;
    else if (op.path.startsWith('/api/cases/')) out[name] = op.key.endsWith('/withdraw') ? r.withdrawCase : op.key.endsWith('/terminate') ? r.terminateCase : r.caseId;
    else if (op.path.startsWith('/api/tasks/')) out[name] = r.taskId;
    else if (op.path.startsWith('/api/users/')) out[name] = r.userId;
    else if (op.path.startsWith('/api/organisations/')) out[name] = r.orgId;
    else if (op.path.startsWith('/api/files/')) out[name] = r.fileId;
    else if (op.path.startsWith('/api/sms/notices/')) out[name] = op.key.endsWith('/cancel') ? r.cancelNotice : r.noticeId;
    else if (op.path.startsWith('/api/sms/categories/')) out[name] = r.categoryId;
    else if (op.path.startsWith('/api/sms/messages/')) out[name] = r.messageId;
    else if (op.path.startsWith('/api/sms/topics/')) out[name] = r.topicId;
    else {
      const registry = /^\/api\/([a-z-]+)\//.exec(op.path)?.[1] ?? '';
      out[name] = r.records[registry]?.id ?? 1;
    }
  }
  return out;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/** Every probe of one operation for one user. */
const ROLE_OF: Record<UserKey, Role> = { admin: 'sysadmin', enterprise: 'enterprise' };
/** Whether the user gets past the route's permission check (else a few probes show the refusal holds). */
const passes = (op: DocOperation, user: UserKey) => op.access === null || op.access === 'public' || op.access === 'signed-in' || (isPermission(op.access) && can(ROLE_OF[user], op.access));
const isPermission = (a: string): a is Permission => (PERMISSIONS as readonly string[]).includes(a);
const FIELD_BUDGET = 36;

/** Every probe of one operation for one user. */
function probesOf(op: DocOperation, r: Real, user: UserKey, counter: { n: number }): Probe[] {
  const out: Probe[] = [];
  const real = realParams(op, r);
  const realPath = fillPath(op.path, real);
  const isWrite = op.method !== 'get';
  const raw = op.key === 'POST /api/files' || op.key.endsWith('/import');
  const last = op.key === 'POST /api/auth/logout';
  const full = passes(op, user);
  const add = (label: string, p: { path?: string; headers?: Record<string, string>; body?: string | Buffer }) =>
    out.push({ user, op: op.key, label, method: op.method.toUpperCase(), path: p.path ?? realPath, headers: p.headers ?? {}, body: p.body, last });
  const bases = baseBodies(r);
  const base = (): object => ((bases[op.key] ? bases[op.key](++counter.n) : sampleOf(op.bodySchema ?? undefined)) ?? {}) as object;

  // Malformed path parameters (with a valid body for writes).
  for (const name of op.pathParams) {
    for (const bad of full ? BAD_IDS : BAD_IDS.slice(0, 2)) {
      const badPath = fillPath(op.path, { ...real, [name]: bad }, true);
      add(`path ${name}=${bad.slice(0, 40)}`, isWrite && !raw ? { path: badPath, headers: JSON_HEADERS, body: JSON.stringify(base()) } : { path: badPath });
    }
  }
  if (raw) return [...out, ...rawUploadProbes(op, realPath, user, full)];
  // Query parameters: the list triple, and any other.
  if (op.queryParams.some((q) => q.name === 'range')) for (const [label, qs] of full ? LIST_QUERIES : LIST_QUERIES.slice(0, 2)) add(label, { path: `${realPath}?${qs}` });
  for (const q of op.queryParams.filter((x) => !['sort', 'range', 'filter'].includes(x.name))) {
    for (const bad of full ? BAD_QUERY_STRINGS : BAD_QUERY_STRINGS.slice(0, 2)) add(`query ${q.name}=${bad.slice(0, 40)}`, { path: `${realPath}?${q.name}=${bad}` });
  }
  if (!isWrite) {
    add('GET with a deep JSON body', { headers: JSON_HEADERS, body: deepObject(DEEP) });
    add('GET with an invalid JSON body', { headers: JSON_HEADERS, body: '{"a":' });
    return out;
  }

  const baseBody = base();
  const baseText = JSON.stringify(baseBody);
  const prepend = (member: string) => (baseText === '{}' ? `{${member}}` : baseText.replace(/^\{/, `{${member},`));
  // Encodings and content types.
  const bodies: Array<[string, string | null, string | Buffer | undefined, Record<string, string>?]> = [
    ['invalid json: truncated', 'application/json', '{"a":'],
    ['invalid json: trailing comma', 'application/json', '{"a":1,}'],
    ['invalid json: two documents', 'application/json', `${baseText}${baseText}`],
    ['invalid json: raw NUL', 'application/json', Buffer.from('{"a":"\u0000"}\u0000')],
    ['invalid json: bad utf-8', 'application/json', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0xff, 0xfe, 0x22, 0x7d])],
    ['json with a BOM', 'application/json', `\ufeff${baseText}`],
    ['json null', 'application/json', 'null'],
    ['json array', 'application/json', '[]'],
    ['empty json body', 'application/json', ''],
    ['utf-16 json', 'application/json; charset=utf-16', Buffer.from(baseText, 'utf16le')],
    ['unknown charset', 'application/json; charset=x-unknown', baseText],
    ['gzip claimed, not gzip', 'application/json', baseText, { 'content-encoding': 'gzip' }],
    ['text/plain', 'text/plain', baseText],
    ['form-encoded', 'application/x-www-form-urlencoded', 'a=1&b[c]=2&__proto__[polluted]=yes'],
    ['multipart', 'multipart/form-data; boundary=X', '--X\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--X--\r\n'],
    ['xml with an external entity', 'application/xml', '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>'],
    ['no content type', null, baseText],
    ['no body at all', null, undefined],
  ];
  for (const [label, type, body, extra] of full ? bodies : bodies.slice(0, 4)) add(label, { headers: { ...(type ? { 'content-type': type } : {}), ...(extra ?? {}) }, body });
  // Structures.
  const structures: Array<[string, string]> = [
    ['deep object 10k', deepObject(DEEP)],
    ['deep array 100k', deepArray(100_000)],
    ['20,000 keys', SPLICES.manyKeys],
    ['600 KB string field', JSON.stringify({ ...baseBody, x: 'x'.repeat(600_000) })],
    ['2 MB body (over the limit)', JSON.stringify({ x: 'x'.repeat(2_000_000) })],
    ['top-level __proto__', prepend('"__proto__":{"polluted":"yes"}')],
    ['top-level constructor', prepend('"constructor":{"prototype":{"polluted":"yes"}}')],
    ['unknown extra fields', JSON.stringify({ id: 1, password_hash: 'x', role: 'sysadmin', organisation_id: 1, approved: true, ...baseBody })],
    ['the valid body', baseText],
  ];
  for (const [label, text] of full ? structures : structures.slice(0, 2)) add(label, { headers: JSON_HEADERS, body: text });
  if (!full || last) return out;
  for (const [label, body] of EXTRA_BODIES[op.key] ?? []) add(label, { headers: JSON_HEADERS, body: JSON.stringify(body) });

  // Each field of an otherwise valid body in turn, worst values of its kind first, round-robin within the budget.
  const fields = fieldPaths(op.bodySchema, baseBody);
  const lists = fields.map((f) => VALUES[f.kind]);
  for (let k = 0, used = 0; used < FIELD_BUDGET && lists.some((l) => k < l.length); k++) {
    fields.forEach((f, i) => {
      if (used >= FIELD_BUDGET || k >= lists[i].length) return;
      const [label, value] = lists[i][k];
      add(`${f.path.join('.')} = ${label}`, { headers: JSON_HEADERS, body: spliced(JSON.stringify(setPath(base(), f.path, value))) });
      used++;
    });
  }
  return out;
}

/** The body's fields with their kinds, and those of an array's first item and a union's members (e.g. scores.0.score, target.userIds). */
function fieldPaths(schema: JsonSchema | null, base: object): Array<{ path: Array<string | number>; kind: Kind }> {
  const props = schema?.properties ?? {};
  const names = Object.keys(props).length ? Object.keys(props) : Object.keys(base);
  const out = names.map((n) => ({ path: [n] as Array<string | number>, kind: kindOf(props[n]) }));
  for (const n of Object.keys(props)) {
    const item = props[n].items;
    if (item?.properties) for (const [m, s] of Object.entries(item.properties)) out.push({ path: [n, 0, m], kind: kindOf(s) });
    for (const member of props[n].oneOf ?? []) for (const [m, s] of Object.entries(member.properties ?? {})) if (!out.some((o) => o.path.join('.') === `${n}.${m}`)) out.push({ path: [n, m], kind: kindOf(s) });
  }
  return out;
}

function setPath(obj: object, keys: Array<string | number>, value: unknown): unknown {
  const root = JSON.parse(JSON.stringify(obj)) as Record<string | number, unknown>;
  let at = root;
  keys.forEach((k, i) => {
    if (i === keys.length - 1) at[k] = value;
    else {
      if (typeof at[k] !== 'object' || at[k] === null) at[k] = typeof keys[i + 1] === 'number' ? [{}] : {};
      at = at[k] as Record<string | number, unknown>;
    }
  });
  return root;
}

let XLSX_PROBES: Array<[string, Buffer]> = [];
async function buildXlsxProbes(r: Real): Promise<void> {
  const book = async (rows: unknown[][]) => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('导入');
    for (const row of rows) ws.addRow(row);
    return Buffer.from(await wb.xlsx.writeBuffer());
  };
  XLSX_PROBES = [
    [
      'xlsx with formulas, errors and rich text',
      await book([
        ['项目代码', '项目名称', '建成年代', '维修资金余额(元)'],
        [r.projectCode, { formula: '1/0' }, { richText: [{ text: '19' }, { text: '90' }] }, { error: '#DIV/0!' }],
      ]),
    ],
    [
      'xlsx with a hyperlink, a date and a huge number',
      await book([
        ['项目代码', '项目名称', '建成年代', '竣工日期'],
        [r.projectCode, { text: 'x', hyperlink: 'javascript:alert(1)' }, 1e308, new Date(-8.64e15)],
      ]),
    ],
    ['xlsx with 2,000 columns', await book([Array.from({ length: 2000 }, (_, i) => `列${i}`), Array.from({ length: 2000 }, () => 'x')])],
    ['xlsx with only a header', await book([['项目代码']])],
    ['empty xlsx', await book([])],
  ];
}

function rawUploadProbes(op: DocOperation, realPath: string, user: UserKey, full: boolean): Probe[] {
  const out: Probe[] = [];
  const isFile = op.key === 'POST /api/files';
  const target = isFile ? `${realPath}?name=${encodeURIComponent('模糊.bin')}` : realPath;
  const add = (label: string, type: string | null, body: string | Buffer | undefined, headers: Record<string, string> = {}) =>
    out.push({ user, op: op.key, label, method: 'POST', path: target, headers: { ...(type ? { 'content-type': type } : {}), ...headers }, body });
  const csvHeader = op.key.includes('projects') ? '项目代码,项目名称,建成年代,竣工日期' : op.key.includes('enterprises') ? '统一社会信用代码,企业名称,成立日期' : '所属企业信用代码,身份证号,姓名,登记日期';
  const bodies: Array<[string, string | null, string | Buffer | undefined]> = [
    ['empty body', 'text/csv', ''],
    ['no body', 'text/csv', undefined],
    ['random bytes', 'application/octet-stream', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))],
    ['zip signature, junk', 'application/octet-stream', Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(2048, 0xff)])],
    ['zip signature only', 'application/octet-stream', Buffer.from('PK')],
    ['json body', 'application/json', '{"rows":[1,2,3]}'],
    ['invalid json body', 'application/json', '{"rows":'],
    ['multipart', 'multipart/form-data; boundary=X', `--X\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n${csvHeader}\r\n--X--\r\n`],
    ['form-encoded', 'application/x-www-form-urlencoded', 'a=1&b=2'],
    ['no content type', null, `${csvHeader}\n1,2,3,4\n`],
    ['csv header only', 'text/csv', `${csvHeader}\n`],
    ['csv unknown headers', 'text/csv', 'foo,bar\n1,2\n'],
    ['csv bad dates and numbers', 'text/csv', `${csvHeader}\nXM-FUZZ-1,2023-02-30,99999999999999999999,0000-00-00\nXM-FUZZ-2,-1,NaN,2023-13-45\n`],
    ['csv injection strings', 'text/csv', `${csvHeader}\n"=cmd|' /C calc'!A0","' OR 1=1 --","{{7*7}}","<script>"\n`],
    ['csv NUL bytes', 'text/csv', `${csvHeader}\n\u0000,\u0000\u0000,x\u0000y,\n`],
    ['csv unbalanced quotes', 'text/csv', `${csvHeader}\n"abc,"def\n"""\n`],
    ['csv with BOM and CRLF', 'text/csv', `\ufeff${csvHeader}\r\nA,B,C,D\r\n`],
    ['csv utf-16', 'text/csv; charset=utf-16', Buffer.from(`${csvHeader}\nA,B\n`, 'utf16le')],
    ['csv 3,000 columns', 'text/csv', `${Array.from({ length: 3000 }, (_, i) => `c${i}`).join(',')}\n${Array.from({ length: 3000 }, () => 'x').join(',')}\n`],
    ['csv 1 MB cell', 'text/csv', `${csvHeader}\n${'x'.repeat(1_000_000)},a\n`],
    ['csv 500 rows', 'text/csv', `${csvHeader}\n${Array.from({ length: 500 }, (_, i) => `FZ-ROW-${i},名称${i},1990,2020-01-01`).join('\n')}\n`],
    ['csv emoji and lone surrogate', 'text/csv', `${csvHeader}\n😀,\ud800,\u202e,e\u0301\n`],
    ['2.5 MB of bytes', 'application/octet-stream', Buffer.alloc(2_500_000, 0x41)],
    ...XLSX_PROBES.map(([label, buf]) => [label, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buf] as [string, string, Buffer]),
  ];
  for (const [label, type, body] of full ? bodies : bodies.slice(0, 3)) add(label, type, body);
  add('without X-Requested-With', 'text/csv', `${csvHeader}\n`, { 'x-requested-with': '' });
  if (isFile && full) for (const bad of BAD_QUERY_STRINGS) out.push({ user, op: op.key, label: `query name=${bad.slice(0, 40)}`, method: 'POST', path: `${realPath}?name=${bad}`, headers: { 'content-type': 'text/plain' }, body: 'x' });
  return out;
}

describe('malformed input over the whole API', () => {
  let p: Platform;
  let served: Served;
  let temporal: LazyTemporalClient;
  let operations: DocOperation[];
  let real: Real;
  const cookies: Record<UserKey, string> = { admin: '', enterprise: '' };

  beforeAll(async () => {
    p = await startPlatform('malformed');
    // This file's own app on the platform: rate limits off, since it sends thousands of requests a minute on purpose.
    const noLimits = { RATE_LIMITS: 'off' } as Record<string, unknown>;
    const t = testApp(p.db, { config: { APPROVALS_TASK_QUEUE: p.taskQueue, CASE_SMS_TASK_QUEUE: p.sms.smsQueue, FILES_DIR: p.filesDir, ...noLimits } as Partial<Config> });
    temporal = t.temporal;
    served = await serve(t.app);
    operations = documentOperations((await request(t.app).get('/api/openapi.json')).body);
    real = await buildReal(p);
    await buildXlsxProbes(real);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
    cookies.admin = await signInCookie(served.port, agent, 'admin', DEMO_PASSWORD);
    cookies.enterprise = await signInCookie(served.port, agent, 'dongwu.ent', DEMO_PASSWORD);
    agent.destroy();
  }, 300_000);
  afterAll(async () => {
    // The .xlsx probes started the import's parse workers (and their tsx loader's esbuild service).
    await stopParseWorkers();
    await served?.close();
    await temporal?.close();
    await p?.stop();
  });

  it('answers no 5xx to thousands of malformed requests on every write route and the reads, in bounded time and memory', async () => {
    const counter = { n: 0 };
    const all: Probe[] = [];
    for (const user of ['admin', 'enterprise'] as const) for (const op of operations) all.push(...probesOf(op, real, user, counter));
    const writes = new Set(operations.filter((o) => o.method !== 'get').map((o) => o.key));
    const probed = new Set(all.map((x) => x.op));
    expect([...writes].filter((w) => !probed.has(w))).toEqual([]);
    // Interleave the routes (a stable shuffle) so the lanes do not all queue on one slow route.
    const ordered = all
      .filter((x) => !x.last)
      .map((x, i) => ({ x, k: (i * 2654435761) % 4294967296 }))
      .sort((a, b) => a.k - b.k)
      .map((y) => y.x);
    const lastOnes = all.filter((x) => x.last);

    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const serverErrors: string[] = [];
    const known: string[] = [];
    const failures: string[] = [];
    const slow: string[] = [];
    const statuses = new Map<number, number>();
    const started = Date.now();
    collectGarbage();
    const rss0 = process.memoryUsage().rss;
    const heap0 = process.memoryUsage().heapUsed;
    let rssMax = rss0;
    let sent = 0;
    const describeProbe = (x: Probe) => `${x.user} ${x.method} ${x.path.length > 160 ? `${x.path.slice(0, 160)}…` : x.path} [${x.op}] "${x.label}"`;
    const payloadOf = (x: Probe) => {
      const text = x.body === undefined ? '(no body)' : Buffer.isBuffer(x.body) ? `${x.body.length} bytes` : x.body.length > 300 ? `${x.body.slice(0, 200)}… (${x.body.length} chars)` : x.body;
      return `content-type ${x.headers['content-type'] ?? '(none)'}; body ${text}`;
    };
    const send = async (x: Probe) => {
      const res: RawResponse = await rawRequest(served.port, agent, {
        method: x.method,
        path: x.path,
        headers: { cookie: cookies[x.user], 'x-requested-with': 'malformed-input-test', ...x.headers },
        body: x.body,
        timeoutMs: REQUEST_TIMEOUT_MS,
      });
      sent++;
      if (sent % 250 === 0) rssMax = Math.max(rssMax, process.memoryUsage().rss);
      // Garbage now and then, so the peak measures what is kept, not what V8 has yet to collect.
      if (sent % 1000 === 0) collectGarbage();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.failure) failures.push(`${describeProbe(x)}: ${res.failure} after ${res.ms} ms`);
      else if (res.status >= 500) {
        const line = `${describeProbe(x)} → ${res.status} ${res.text.slice(0, 200)}\n      payload: ${payloadOf(x)}`;
        const k = KNOWN_FAILURES.find((kf) => kf.op.test(x.op) && kf.probe.test(x.label));
        (k ? known : serverErrors).push(k ? `${line}\n      known: ${k.why}` : line);
      }
      if (res.ms > 10_000) slow.push(`${describeProbe(x)}: ${res.ms} ms`);
    };
    await runPool(ordered, CONCURRENCY, send);
    for (const x of lastOnes) await send(x);
    agent.destroy();
    const seconds = (Date.now() - started) / 1000;
    rssMax = Math.max(rssMax, process.memoryUsage().rss);
    collectGarbage();
    const rssPeakGrowth = rssMax - rss0;
    const rssGrowth = process.memoryUsage().rss - rss0;
    const heapGrowth = process.memoryUsage().heapUsed - heap0;

    const byStatus = [...statuses.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([s, n]) => `${s}×${n}`)
      .join(' ');
    console.log(
      `Malformed input: ${sent} requests (${all.length} probes over ${probed.size} operations, ${writes.size} writes) by 2 users in ${seconds.toFixed(1)} s, ` +
        `concurrency ${CONCURRENCY}; statuses ${byStatus}; memory growth after a full GC: rss ${(rssGrowth / 1e6).toFixed(0)} MB, heap ${(heapGrowth / 1e6).toFixed(0)} MB (rss peak +${(rssPeakGrowth / 1e6).toFixed(0)} MB)` +
        (known.length ? `\nknown failures (${known.length}):\n  ${known.slice(0, 30).join('\n  ')}` : '') +
        (failures.length ? `\nno answer (${failures.length}):\n  ${failures.slice(0, 20).join('\n  ')}` : '') +
        (slow.length ? `\nslow answers (${slow.length}):\n  ${slow.slice(0, 20).join('\n  ')}` : '') +
        (serverErrors.length ? `\n5xx (${serverErrors.length}):\n  ${serverErrors.slice(0, 60).join('\n  ')}` : ''),
    );
    expect(sent).toBeGreaterThanOrEqual(MIN_REQUESTS);
    expect(serverErrors).toEqual([]);
    expect(failures).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
    expect(heapGrowth).toBeLessThan(MAX_HEAP_GROWTH);
    expect(rssPeakGrowth).toBeLessThan(MAX_RSS_PEAK_GROWTH);
  }, 900_000);
});

async function buildReal(p: Platform): Promise<Real> {
  const db = p.db;
  const orgId = async (code: string) => ((await db('organisations').where('code', code).first('id')) as { id: number }).id;
  const userId = async (username: string) => ((await db('users').where('username', username).first('id')) as { id: number }).id;
  const dongwu = await orgId('ENT-91320508MA1DONGWU');
  const admin = await p.as('admin');
  // Three cases of 东吴's (one to read and message, one to withdraw, one to terminate) and an open tender.
  const main = await startCase(p, 'dongwu.ent', 'sample-approval', { note: 'main' });
  const withdraw = await startCase(p, 'dongwu.ent', 'sample-approval', { note: 'withdraw' });
  const terminate = await startCase(p, 'dongwu.ent', 'sample-approval', { note: 'terminate' });
  const [task] = await openTaskAt(db, main.id, 'districtReview');
  const project = (await db('property_projects').where({ enterprise_id: dongwu, district_code: '320508' }).orderBy('id').first('id', 'code', 'street_code')) as { id: number; code: string; street_code: string };
  const tender = await startCase(p, 'chengtou.dev', 'tender', { projectId: project.id, tenderer: 'developer', title: '模糊测试招标', depositAmount: 50_000, bidWindow: 'P7D' }, { districtCode: '320508', streetCode: project.street_code });
  await decide(p, tender.id, 'cityFiling', 'city.staff', { outcome: 'approve' });
  await waitFor('the tender to open', async () => (await db('tenders').where({ case_id: tender.id, status: 'open' }).first('case_id')) ?? null);
  const bid = await (await p.as('hengtai.ent')).post(`/api/tenders/${tender.id}/bids`).send({ depositPaid: 50_000 });
  expect(bid.status).toBe(201);
  const upload = await admin.post('/api/files').query({ name: 'fuzz.txt' }).set('content-type', 'text/plain').send('fuzz');
  expect(upload.status).toBe(201);
  const notice = async () => {
    const res = await admin.post('/api/sms/notices').send({ text: '模糊测试', target: { kind: 'users', userIds: [await userId('admin')] }, sendAt: new Date(Date.now() + 5 * 86_400_000).toISOString() });
    expect(res.status).toBe(201);
    return res.body.id as number;
  };
  const org = await admin.post('/api/organisations').send({ code: 'FUZZ-TARGET', name: '模糊测试目标机构', kind: 'public' });
  expect(org.status).toBe(201);
  const [messageId] = await db('sms_messages').insert({ idempotency_key: 'malformed/1', phone: '13800000001', text: '模糊', encoding: 'ucs2', part_count: 1, status: 'sent' });
  const [topicId] = await db('sms_topics').insert({ topic_key: 'malformed', workflow_id: 'malformed', question: '？', options: JSON.stringify([{ key: '1', label: '是' }]), closes_at: new Date(Date.now() + 86_400_000) });
  const staff = (await db('enterprise_staff').where({ enterprise_id: dongwu, active: 1 }).orderBy('id').first('id', 'id_number')) as { id: number; id_number: string };
  const committee = (await db('owners_committees')
    .where('id', await orgId('OC-320508001-PJXC'))
    .first('id')) as { id: number };
  const event = (await db('credit_events').where('enterprise_id', dongwu).orderBy('id').first('id')) as { id: number };
  const training = (await db('credit_trainings as t').join('enterprise_staff as s', 's.id', 't.staff_id').where('s.enterprise_id', dongwu).orderBy('t.id').first('t.id')) as { id: number };
  const records: Real['records'] = {};
  for (const [name, id] of [
    ['projects', project.id],
    ['enterprises', dongwu],
    ['staff', staff.id],
    ['committees', committee.id],
    ['credit-events', event.id],
    ['trainings', training.id],
  ] as const) {
    const res = await admin.get(`/api/${name}/${id}`);
    expect(res.status).toBe(200);
    records[name] = { id, body: res.body as Record<string, unknown> };
  }
  return {
    caseId: main.id,
    caseNumber: main.number,
    withdrawCase: withdraw.id,
    terminateCase: terminate.id,
    taskId: task.id,
    tenderCase: tender.id,
    bidId: ((await db('tender_bids').where('case_id', tender.id).first('id')) as { id: number }).id,
    fileId: upload.body.id as string,
    noticeId: await notice(),
    cancelNotice: await notice(),
    userId: await userId('dongwu.pm'),
    adminId: await userId('admin'),
    orgId: org.body.id as number,
    dongwu,
    categoryId: ((await db('sms_categories').where('code', 'policy').first('id')) as { id: number }).id,
    messageId: Number(messageId),
    topicId: Number(topicId),
    records,
    staffIdNumber: staff.id_number,
    dongwuCredit: String(((await db('enterprises').where('id', dongwu).first('credit_code')) as { credit_code: string }).credit_code),
    projectCode: project.code,
  };
}
