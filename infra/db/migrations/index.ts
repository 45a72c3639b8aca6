import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001_initial';
import * as m0002 from './0002_pipeline_drafts';
import * as m0003 from './0003_api_keys_and_triggers';
import * as m0004 from './0004_schedules';
import * as m0005 from './0005_webhooks';
import * as m0006 from './0006_sessions_accounts';
import * as m0008 from './0008_batches';
import * as m0009 from './0009_media_names';
import * as m0010 from './0010_shares';
import * as m0013 from './0013_reruns';
import * as m0014 from './0014_output_cache';
import * as m0015 from './0015_active_runs';
import * as m0016 from './0016_storage_totals';

/**
 * Every migration, by name. Names sort in the order they apply; add new ones at the end with the
 * next number. Forward-only: never edit or remove a migration that has shipped. Static imports (no
 * filesystem scan) so this works from a bundle.
 */
export const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_pipeline_drafts': m0002,
  '0003_api_keys_and_triggers': m0003,
  '0004_schedules': m0004,
  '0005_webhooks': m0005,
  '0006_sessions_accounts': m0006,
  '0008_batches': m0008,
  '0009_media_names': m0009,
  '0010_shares': m0010,
  '0013_reruns': m0013,
  '0014_output_cache': m0014,
  '0015_active_runs': m0015,
  '0016_storage_totals': m0016,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
