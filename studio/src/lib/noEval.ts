import { z } from 'zod';

/**
 * The studio runs under a CSP without 'unsafe-eval'. zod compiles object parsers with `new Function` unless told
 * not to, and merely probing for it reports a CSP violation. main.tsx imports this first, before any schema exists.
 */
z.config({ jitless: true });
