import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import swaggerUi from 'swagger-ui-express';
import { filesDirOf, type Config } from '../lib/config';
import { isAdminRole } from '../lib/roles';
import type { LazyTemporalClient } from '../lib/temporal/client';
import { operationLogSafetyNet } from './audit/operation-log';
import { authenticate, requirePasswordChange } from './auth/middleware';
import { registerAuthRoutes } from './auth/routes';
import { errorHandler, HttpError, notFoundHandler } from './http/errors';
import { LIMITS, limiter, registerRateLimits } from './http/rate-limits';
import { Api } from './http/route';
import { sameOriginOnly } from './http/same-origin';
import { registerApprovalRoutes } from './routes/approvals';
import { registerExportRoutes } from './routes/exports';
import { registerFileRoutes } from './routes/files';
import { registerSavedFilterRoutes } from './routes/saved-filters';
import { registerCreditRoutes } from './routes/credit';
import { registerHomeRoutes } from './routes/home';
import { registerHealthRoutes } from './routes/health';
import { registerJobRoutes } from './routes/jobs';
import { registerDecisionRoutes } from './routes/decisions';
import { authenticateJobWorkers } from './auth/job-workers';
import { registerIncidentRoutes } from './routes/incidents';
import { registerCaseRoutes } from './routes/cases';
import { registerOperationLogRoutes } from './routes/operation-log';
import { registerOrganisationRoutes } from './routes/organisations';
import { registerProcessRoutes } from './routes/processes';
import { registerRegionRoutes } from './routes/regions';
import { registerRegistries } from './routes/registries';
import { registerSmsRoutes } from './routes/sms';
import { registerSystemRoutes } from './routes/system';
import { registerTaskRoutes } from './routes/tasks';
import { registerUserRoutes } from './routes/users';
import { createMetrics } from './metrics';

export interface AppDeps {
  config: Config;
  db: Knex;
  log: Logger;
  temporal: LazyTemporalClient;
}

export function createApp({ config, db, log, temporal }: AppDeps): Express {
  const app = express();
  // Only the configured proxy may name the client (X-Forwarded-For) and the scheme: the address
  // lands in the operation log, so a caller must not be able to choose it (TRUST_PROXY, lib/config.ts).
  app.set('trust proxy', config.TRUST_PROXY);
  app.disable('x-powered-by');
  // First, so every request is timed, whatever answers it.
  const metrics = createMetrics(db, { token: config.METRICS_TOKEN });
  app.use(metrics.middleware);

  app.use(
    pinoHttp({
      logger: log,
      // Honour a request id from the proxy in front, so one id follows a request end to end.
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming) ? incoming : crypto.randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug'),
      autoLogging: { ignore: (req) => req.url === '/healthz' },
    }),
  );
  // No upgrade-insecure-requests: the platform is often reached over plain http on an intranet.
  // HSTS only on answers that went out over HTTPS (directly or through the TLS proxy in front):
  // over plain http browsers ignore it, and it would wrongly promise HTTPS on an http-only host.
  app.use(
    helmet({
      strictTransportSecurity: false,
      contentSecurityPolicy: { useDefaults: true, directives: { 'img-src': ["'self'", 'data:', 'blob:'], 'upgrade-insecure-requests': null } },
    }),
  );
  app.use((req, res, next) => {
    if (req.secure) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    next();
  });
  if (config.RATE_LIMITS === 'on') app.use(['/healthz', '/readyz', '/metrics'], limiter(db, LIMITS.anonymous));
  // File uploads carry raw bytes of any type (a .json attachment too); they are read by their own route.
  app.use(express.json({ limit: '1mb', type: (req) => !req.url?.startsWith('/api/files') && /json/i.test(req.headers['content-type'] ?? '') }));
  app.use(cookieParser());

  const router = express.Router();
  registerHealthRoutes(router, db, temporal, { namespace: config.TEMPORAL_NAMESPACE, approvalsTaskQueue: config.APPROVALS_TASK_QUEUE, smsTaskQueue: config.SMS_TASK_QUEUE });
  metrics.register(router);
  app.use(router);

  app.use(
    '/api',
    operationLogSafetyNet(db, log),
    authenticate(db, { idleMinutes: config.SESSION_IDLE_MINUTES, passwordMaxAgeDays: config.PASSWORD_MAX_AGE_DAYS }),
    authenticateJobWorkers(config.JOB_WORKERS),
    sameOriginOnly(config.ALLOWED_ORIGINS),
    requirePasswordChange(),
  );
  const apiRouter = express.Router();
  if (config.RATE_LIMITS === 'on') registerRateLimits(apiRouter, db);
  const api = new Api(apiRouter);
  registerAuthRoutes(api, db, config);
  registerFileRoutes(apiRouter, api, db, filesDirOf(config));
  registerUserRoutes(api, db, config);
  registerOrganisationRoutes(api, db);
  registerRegionRoutes(api, db);
  registerOperationLogRoutes(api, db);
  registerSystemRoutes(api, db, temporal, config.APPROVALS_TASK_QUEUE);
  // Before the process routes: /api/processes/startable must not be taken for a process key.
  registerApprovalRoutes(api, db);
  registerProcessRoutes(api, db);
  // Before the case routes: /api/cases/export is not a case id.
  registerExportRoutes(api, db);
  registerSavedFilterRoutes(api, db);
  registerCreditRoutes(api, db, temporal, { taskQueue: config.APPROVALS_TASK_QUEUE, smsTaskQueue: config.CASE_SMS_TASK_QUEUE || null });
  registerHomeRoutes(api, db);
  registerCaseRoutes(api, db, temporal, config.APPROVALS_TASK_QUEUE, config.CASE_SMS_TASK_QUEUE || null);
  registerTaskRoutes(api, db, temporal);
  registerIncidentRoutes(api, db, temporal);
  registerJobRoutes(api, db, temporal);
  registerDecisionRoutes(api, db);
  registerSmsRoutes(api, db, temporal, config.SMS_TASK_QUEUE);
  registerRegistries(api, db);

  const openapi = new OpenApiGeneratorV31(api.registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Property-service supervision and approval platform API',
      version: '0.1.0',
      description: 'Lists follow react-admin simple-rest conventions: `sort`, `range` and `filter` are JSON strings, and the total is in `Content-Range`. Errors are `{ error: { code, message, details[] }, requestId }`.',
    },
  });
  // The API's map is for the administrators in production (it lists every route an attacker could
  // try); a refusal goes through the error handler and the operation log like any other.
  const docsAccess = apiDocsAccess(config);
  app.get('/api/openapi.json', docsAccess, (_req, res) => {
    res.json(openapi);
  });
  app.use('/api/docs', docsAccess, swaggerUi.serve, swaggerUi.setup(openapi, { customSiteTitle: 'Platform API' }));
  app.use(apiRouter);
  app.use('/api', notFoundHandler);

  // The built admin UI, with the single-page fallback for its client-side routes.
  const index = path.join(config.UI_DIST_DIR, 'index.html');
  if (fs.existsSync(index)) {
    app.use(express.static(config.UI_DIST_DIR, { index: false, maxAge: '1h' }));
    app.get(/^\/(?!api\/).*/, (_req, res) => res.sendFile(index));
  }

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}

/**
 * `/api/docs` and `/api/openapi.json`: open outside production (developers), for a signed-in
 * administrator (lib/roles.ts ADMIN_ROLES) in production. Mounted after `authenticate`.
 */
function apiDocsAccess(config: Pick<Config, 'NODE_ENV'>): express.RequestHandler {
  return (req, res, next) => {
    if (config.NODE_ENV !== 'production') return next();
    res.locals.action = 'api.docs';
    if (!req.user) return next(new HttpError(401, 'unauthenticated', 'Sign in as an administrator to read the API documentation'));
    if (!isAdminRole(req.user.role)) return next(new HttpError(403, 'forbidden', 'Only administrators may read the API documentation'));
    next();
  };
}
