import { z } from 'zod';
import { notReserved, RESERVED_MESSAGE } from './graphConstants';

/**
 * The schema of node ids and pipeline input names, built on first use: node types' params (catalog.ts) check input
 * names with it, and the workflows load the catalog for every run without ever checking a name.
 */
let identifier: z.ZodString | undefined;
export function identifierSchema(): z.ZodString {
  identifier ??= z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'must start with a letter or _ and contain only letters, digits, _ and -')
    .refine(notReserved, RESERVED_MESSAGE);
  return identifier;
}
