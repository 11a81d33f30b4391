import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { testApp, signIn } from '../helpers/api';
import { freshTestDatabase } from '../helpers/db';

describe('file attachments', () => {
  let db: Knex;
  let app: Express;
  let close: () => Promise<void>;
  const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'psp-files-'));

  beforeAll(async () => {
    ({ db } = await freshTestDatabase());
    const t = testApp(db, { config: { FILES_DIR: filesDir } });
    app = t.app;
    close = () => t.temporal.close();
  });
  afterAll(async () => {
    await close();
    await db.destroy();
    fs.rmSync(filesDir, { recursive: true, force: true });
  });

  it('stores an upload and gives the same bytes back with its Chinese name', async () => {
    const ent = await signIn(app, 'dongwu.ent');
    const bytes = Buffer.from('%PDF-1.4 营业执照扫描件', 'utf8');
    const up = await ent.post('/api/files').query({ name: '营业执照.pdf' }).set('content-type', 'application/pdf').send(bytes);
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ name: '营业执照.pdf', mime: 'application/pdf', size: bytes.length });

    // Not attached to anything yet: only its uploader reads it (tests/security/files-access.test.ts has the rest).
    expect((await (await signIn(app, 'centre')).get(`/api/files/${up.body.id}`)).status).toBe(404);
    const down = await ent
      .get(`/api/files/${up.body.id}`)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(down.status).toBe(200);
    expect(Buffer.compare(down.body as Buffer, bytes)).toBe(0);
    expect(down.headers['content-disposition']).toBe(`attachment; filename*=UTF-8''${encodeURIComponent('营业执照.pdf')}`);
    expect(await db('operation_log').where({ action: 'files.upload', username: 'dongwu.ent', result: 'ok' })).toHaveLength(1);
  });

  it('stores bytes uploaded twice as two records whose stored files do not show they are equal', async () => {
    const ent = await signIn(app, 'hengtai.ent');
    const a = await ent.post('/api/files').query({ name: 'a.txt' }).set('content-type', 'text/plain').send('same bytes');
    const b = await ent.post('/api/files').query({ name: 'b.txt' }).set('content-type', 'text/plain').send('same bytes');
    expect(a.body.id).not.toBe(b.body.id);
    expect(a.body.sha256).toBe(b.body.sha256);
    // Encrypted at rest (docs/encryption.md): each file under the hash of its own encrypted
    // bytes, so equal contents are neither named by their hash nor stored under one name.
    const rows = (await db('files').whereIn('id', [a.body.id, b.body.id]).select('blob')) as Array<{ blob: string }>;
    expect(new Set(rows.map((r) => r.blob)).size).toBe(2);
    expect(fs.existsSync(path.join(filesDir, a.body.sha256.slice(0, 2), a.body.sha256))).toBe(false);
    for (const id of [a.body.id, b.body.id]) expect((await ent.get(`/api/files/${id}`)).text).toBe('same bytes');
  });

  it('accepts a JSON file as bytes, not as a request body', async () => {
    const ent = await signIn(app, 'dongwu.ent');
    const up = await ent.post('/api/files').query({ name: 'data.json' }).set('content-type', 'application/json').send('{"a":1}');
    expect(up.status).toBe(201);
    expect(up.body.size).toBe(7);
  });

  it('refuses no name, an empty body, no session and an unknown id', async () => {
    const ent = await signIn(app, 'dongwu.ent');
    const noName = await ent.post('/api/files').set('content-type', 'text/plain').send('x');
    expect(noName.status).toBe(400);
    expect(noName.body.error.details[0].field).toBe('query.name');
    expect((await ent.post('/api/files').query({ name: 'e.txt' }).set('content-type', 'text/plain').send('')).status).toBe(400);
    expect((await request(app).post('/api/files').query({ name: 'x.txt' }).set('X-Requested-With', 'test').send('x')).status).toBe(401);
    expect((await ent.get('/api/files/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await ent.get('/api/files/not-a-uuid')).status).toBe(400);
  });
});
