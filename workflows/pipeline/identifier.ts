import { z } from 'zod';
import { notReserved, RESERVED_MESSAGE } from './graphConstants';

/** The names in a graph, in a module of their own: node types' params (catalog.ts) check input names with it. */

/** Node ids and pipeline input names. */
export const identifier = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'must start with a letter or _ and contain only letters, digits, _ and -')
  .refine(notReserved, RESERVED_MESSAGE);

export const handle = z.string().min(1).max(64).refine(notReserved, RESERVED_MESSAGE);
