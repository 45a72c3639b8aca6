/**
 * The libraries each workflow thread evaluates once and its workflows share (infra/workflowBundle.ts preloads this
 * module), instead of once per workflow. Referenced, not just imported: the bundler drops an import of a package
 * that says it has no side effects when nothing uses it.
 *
 * What is shared is frozen once this module has run, so whatever a library sets up lazily is set up here: zod
 * installs its default locale and memoizer on the first schema built and the first value checked.
 */
import { z } from 'zod';

z.object({
  text: z.string().min(1),
  count: z.number().int(),
  kinds: z.array(z.enum(['a'])),
  value: z.union([z.literal(1), z.null()]),
}).safeParse({});

export const sharedLibraries = { z };
