import { Router } from 'express';
import { ListQuery, ProviderCredentialBody, ProviderParam, ProviderTestBody } from '../contract';
import { handler, notFound, parse } from '../http';
import type { GenerationRepository } from '../repositories/generations';
import type { Usage } from '../../infra/quotas';
import type { PlanUsage, Wire } from '../schemas';
import type { ProviderSettingsService } from '../services/providers';
import { requireScope } from '../scopes';

/** Provider keys and image servers (per user, encrypted at rest; keys never sent back), connection tests, the user's generations with their cost, and usage against the plan. */
export function settingsRoutes(deps: {
  providers: ProviderSettingsService;
  generations: GenerationRepository;
  usage: (userId: string) => Promise<Usage | undefined>;
}): Router {
  const { providers, generations } = deps;
  const router = Router();

  router.get(
    '/providers',
    requireScope('read'),
    handler(async (req, res) => {
      res.json({ providers: await providers.list(req.user!.id) });
    }),
  );
  router.put(
    '/providers/:provider',
    requireScope('admin'),
    handler(async (req, res) => {
      const { provider } = parse(ProviderParam, req.params, 'path');
      const body = parse(ProviderCredentialBody, req.body);
      res.json(await providers.save(req.user!.id, provider, body));
    }),
  );
  router.post(
    '/providers/:provider/test',
    // It sends requests out with the saved key, as the webhook test does: not for read-only keys.
    requireScope('admin'),
    handler(async (req, res) => {
      const { provider } = parse(ProviderParam, req.params, 'path');
      parse(ProviderTestBody, req.body ?? {});
      res.json(await providers.test(req.user!.id, provider));
    }),
  );
  router.delete(
    '/providers/:provider',
    requireScope('admin'),
    handler(async (req, res) => {
      const { provider } = parse(ProviderParam, req.params, 'path');
      if (!(await providers.remove(req.user!.id, provider))) throw notFound('Provider key');
      res.status(204).end();
    }),
  );

  router.get(
    '/generations',
    requireScope('read'),
    handler(async (req, res) => {
      const { limit, projectId, before, after } = parse(ListQuery, req.query, 'query');
      res.json({ generations: await generations.list(req.user!.id, { limit, projectId, before, after }) });
    }),
  );

  router.get(
    '/usage',
    requireScope('read'),
    handler(async (req, res) => {
      const usage = await deps.usage(req.user!.id);
      if (!usage) throw notFound('User');
      const { plan, period, resetsAt, limits, used } = usage;
      const body: Wire<typeof PlanUsage> = {
        plan,
        period,
        resetsAt,
        usage: {
          monthlyGenerations: { used: used.monthlyGenerations, limit: limits.monthlyGenerations },
          concurrentRuns: { used: used.concurrentRuns, limit: limits.concurrentRuns },
          storageBytes: { used: used.storageBytes, limit: limits.storageBytes },
          monthlySpendUsd: { used: used.monthlySpendUsd, limit: limits.monthlySpendUsd },
        },
        nodesPerPipeline: limits.nodesPerPipeline,
      };
      res.json(body);
    }),
  );
  return router;
}
