import { Router } from 'express';
import { sql, type Kysely } from 'kysely';
import { CLOUD_PROVIDERS, providerSettingsFromEnv } from '../../activities/providers';
import type { Config } from '../../infra/config';
import type { CredentialStore } from '../../infra/credentials';
import type { Database } from '../../infra/db/schema';
import { ListQuery, ProviderCredentialBody, ProviderParam } from '../contract';
import { literalHostRefusal } from '../../infra/netguard';
import { handler, HttpError, notFound, parse } from '../http';

/** Provider keys (per user, encrypted at rest; never sent back) and the user's generations with their cost. */
export function settingsRoutes(deps: { credentials: CredentialStore; db: Kysely<Database>; config: Config }): Router {
  const router = Router();
  const { environment: installWide, outbound } = providerSettingsFromEnv(deps.config.rootDir);

  router.get(
    '/providers',
    handler(async (req, res) => {
      const own = new Map((await deps.credentials.list(req.user!.id)).map((c) => [c.provider, c]));
      res.json({
        providers: CLOUD_PROVIDERS.map((provider) => {
          const mine = own.get(provider);
          const source = mine ? 'user' : installWide[provider] ? 'environment' : null;
          return { provider, configured: source !== null, source, baseUrl: mine?.baseUrl ?? installWide[provider]?.baseUrl ?? null, updatedAt: mine?.updatedAt ?? null };
        }),
      });
    }),
  );
  router.put(
    '/providers/:provider',
    handler(async (req, res) => {
      const { provider } = parse(ProviderParam, req.params, 'path');
      const body = parse(ProviderCredentialBody, req.body);
      const refused = body.baseUrl ? literalHostRefusal(outbound, new URL(body.baseUrl).hostname) : null;
      if (refused) throw new HttpError(400, 'invalid_request', `Invalid body: baseUrl: ${refused}; only public internet addresses are allowed`);
      await deps.credentials.set(req.user!.id, provider, body);
      res.json({ provider, configured: true, source: 'user', baseUrl: body.baseUrl ?? null });
    }),
  );
  router.delete(
    '/providers/:provider',
    handler(async (req, res) => {
      const { provider } = parse(ProviderParam, req.params, 'path');
      if (!(await deps.credentials.remove(req.user!.id, provider))) throw notFound('Provider key');
      res.status(204).end();
    }),
  );

  router.get(
    '/generations',
    handler(async (req, res) => {
      const { limit, projectId, before, after } = parse(ListQuery, req.query, 'query');
      let query = deps.db
        .selectFrom('generations')
        .select(['id', 'project_id', 'run_id', 'node_id', 'item_index', 'type', 'ai_service', 'model', 'status', 'prompt', 'result', 'parameters', 'processing_time', 'tokens_used', 'cost_usd', 'created_at'])
        .where('user_id', '=', req.user!.id)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit);
      if (projectId) query = query.where('project_id', '=', projectId);
      if (before) query = query.where('created_at', '<', new Date(before));
      if (after) {
        query = query.where(sql<boolean>`(generations.created_at, generations.id) < (select c.created_at, c.id from generations c where c.id = ${after} and c.user_id = ${req.user!.id})`);
      }
      const rows = await query.execute();
      res.json({
        generations: rows.map((r) => ({
          id: r.id,
          projectId: r.project_id,
          runId: r.run_id,
          nodeId: r.node_id,
          itemIndex: r.item_index,
          type: r.type,
          aiService: r.ai_service,
          model: r.model,
          status: r.status,
          prompt: r.prompt,
          result: r.result,
          parameters: r.parameters,
          processingMs: r.processing_time,
          tokensUsed: r.tokens_used,
          costUsd: Number(r.cost_usd),
          createdAt: r.created_at,
        })),
      });
    }),
  );
  return router;
}
