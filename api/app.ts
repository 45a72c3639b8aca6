import { join } from 'node:path';
import express, { type Express } from 'express';
import type { Services } from '../infra/services';
import { createAuth, loadTokenSecret } from './auth';
import { checkResponses } from './checkResponses';
import { requests } from './contract';
import { createGuard } from './guard';
import { requestTelemetry } from './requestTelemetry';
import { errorHandler, HttpError } from './http';
import { createApiKeyRepository } from './repositories/apiKeys';
import { createBatchRepository } from './repositories/batches';
import { methodNotAllowed } from './methods';
import { createGenerationRepository } from './repositories/generations';
import { createMediaRepository } from './repositories/media';
import { createPipelineRepository } from './repositories/pipelines';
import { createProjectRepository } from './repositories/projects';
import { createRunRepository } from './repositories/runs';
import { createScheduleRepository } from './repositories/schedules';
import { createRefreshTokenRepository } from './repositories/refreshTokens';
import { createUserRepository } from './repositories/users';
import { JSON_TYPE, refuseUnsafeInput, requireJsonBody } from './safeInput';
import { authRoutes } from './routes/auth';
import { batchRoutes, pipelineBatchRoutes } from './routes/batches';
import { docsRoutes } from './routes/docs';
import { healthRoutes } from './routes/health';
import { keyRoutes } from './routes/keys';
import { mediaRoutes } from './routes/media';
import { nodeRoutes } from './routes/nodes';
import { pipelineRoutes } from './routes/pipelines';
import { projectRoutes } from './routes/projects';
import { publicRoutes } from './routes/public';
import { runRoutes } from './routes/runs';
import { publicShareRoutes, runShareRoutes, shareRoutes } from './routes/shares';
import { createShareRepository } from './repositories/shares';
import { scheduleRoutes } from './routes/schedules';
import { settingsRoutes } from './routes/settings';
import { cacheRoutes } from './routes/cache';
import { createCacheEntryRepository } from './repositories/cacheEntries';
import { signedUrlRoutes } from './routes/signedUrls';
import { studioRoutes, type StudioState } from './routes/studio';
import { pipelineWebhookRoutes, webhookRoutes } from './routes/webhooks';
import { createWebhookRepository } from './repositories/webhooks';
import { createCredentialStore, credentialsSealer } from '../infra/credentials';
import { providerSettingsFromEnv } from '../infra/providerSettings';
import { checkRunStart, usageOf } from '../infra/quotas';
import { createBatchService } from './services/batches';
import { loadPrices } from '../infra/prices';
import { createProviderSettingsService } from './services/providers';
import { createRunService, workflowIdOf } from './services/runs';
import { createSessionService } from './services/sessions';
import { createWebhookService } from './services/webhooks';
import { createScheduleService } from './services/schedules';

export const BODY_LIMIT = '1mb';

export function createApp(services: Services, opts: { studio?: () => StudioState } = {}): Express {
  const { db, bus, blobs, temporal, config } = services;
  const users = createUserRepository(db);
  const projects = createProjectRepository(db);
  const pipelines = createPipelineRepository(db);
  const runs = createRunRepository(db);
  const media = createMediaRepository(db);
  const generations = createGenerationRepository(db);
  const apiKeys = createApiKeyRepository(db);
  const shares = createShareRepository(db);
  const runService = createRunService({
    pipelines,
    runs,
    temporal,
    taskQueue: config.taskQueue,
    checkQuota: (userId, nodeCount) => checkRunStart(db, userId, nodeCount),
    prices: loadPrices(),
  });
  const batchService = createBatchService({
    pipelines,
    batches: createBatchRepository(db),
    temporal,
    taskQueue: config.taskQueue,
    concurrency: config.batchConcurrency,
    checkQuota: (userId, nodeCount, runCount) => checkRunStart(db, userId, nodeCount, new Date(), runCount),
  });
  const scheduleService = createScheduleService({
    schedules: createScheduleRepository(db),
    pipelines,
    temporal,
    taskQueue: config.taskQueue,
  });
  const providers = createProviderSettingsService({ credentials: createCredentialStore(db, config), config });
  const webhooks = createWebhookService({
    webhooks: createWebhookRepository(db),
    sealer: credentialsSealer(config),
    temporal,
    taskQueue: config.taskQueue,
    settings: config.webhooks,
  });
  const auth = createAuth(users, apiKeys, loadTokenSecret(config), { accessTokenTtlSeconds: config.accessTokenTtlSeconds });
  const sessions = createSessionService(createRefreshTokenRepository(db));
  const guard = createGuard({ config, limits: services.limits, planOf: users.findPlan, requireUser: auth.requireUser });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.use(requestTelemetry);
  if (process.env.NODE_ENV === 'test') app.use(checkResponses());
  app.use(guard.gate);
  app.use('/api', requireJsonBody, express.json({ limit: BODY_LIMIT, strict: true, type: JSON_TYPE }), refuseUnsafeInput, guard.limits);

  app.use('/api/health', healthRoutes(services));
  app.use('/api', docsRoutes(config.rootDir));
  app.use('/api/auth', authRoutes(users, auth, sessions));
  app.use('/api/public', publicRoutes({ projects, media, blobs }));
  app.use('/api/public/shares', publicShareRoutes({ shares, blobs }));
  // The only routes a signed link opens: one object's bytes. Everything else needs the Authorization header.
  app.get(['/api/media/:id/content', '/api/runs/:id/artifacts/*path', '/api/runs/:id/archive'], auth.signedUrl);
  app.use('/api/nodes', nodeRoutes({ rootDir: config.rootDir, localModelsDir: providerSettingsFromEnv(config.rootDir).localModelsDir }));
  app.use('/api/projects', auth.requireUser, projectRoutes(projects));
  app.use(
    '/api/pipelines',
    auth.requireUser,
    pipelineRoutes({ pipelines, projects, runs, runService, scheduleService, signer: auth.signer }),
    pipelineWebhookRoutes(webhooks),
    pipelineBatchRoutes(batchService),
  );
  app.use('/api/batches', auth.requireUser, batchRoutes(batchService));
  app.use('/api/webhooks', auth.requireUser, webhookRoutes(webhooks));
  const temporalUi = config.telemetry.temporalUiUrl;
  const workflowUrl = temporalUi
    ? (runId: string) => `${temporalUi}/namespaces/${encodeURIComponent(config.temporalNamespace)}/workflows/${workflowIdOf(runId)}`
    : undefined;
  app.use(
    '/api/runs',
    auth.requireUser,
    runRoutes({ runs, runService, bus, blobs, signer: auth.signer, workflowUrl }),
    runShareRoutes({ shares, blobs }),
  );
  app.use('/api/shares', auth.requireUser, shareRoutes({ shares }));
  app.use('/api/schedules', auth.requireUser, scheduleRoutes({ scheduleService }));
  app.use('/api/media', auth.requireUser, mediaRoutes({ media, blobs, signer: auth.signer }));
  app.use('/api/signed-urls', auth.requireUser, signedUrlRoutes({ signer: auth.signer, media, runs }));
  app.use('/api/settings', auth.requireUser, settingsRoutes({ providers, generations, usage: (userId) => usageOf(db, userId) }));
  app.use('/api/keys', auth.requireUser, keyRoutes(apiKeys));
  app.use('/api/cache', auth.requireUser, cacheRoutes({ cacheEntries: createCacheEntryRepository(db) }));
  app.use('/api', methodNotAllowed(Object.keys(requests)));
  app.use('/api', (req, _res, next) => next(new HttpError(404, 'not_found', `No route ${req.method} ${req.originalUrl}`)));

  // A share link's short form: its page is an API route (no login, its own headers).
  app.get('/s/:token', (req, res) => {
    res
      .set({ 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store' })
      .redirect(302, `/api/public/shares/${encodeURIComponent(req.params.token)}`);
  });

  app.use(studioRoutes(join(config.rootDir, 'studio', 'dist'), opts.studio));

  app.use(errorHandler);
  return app;
}
