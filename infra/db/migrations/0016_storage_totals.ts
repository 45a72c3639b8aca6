import { sql, type Kysely } from 'kysely';

/**
 * What each user's media weigh together, kept on the user by a trigger (so every way a media row comes or goes —
 * an upload, a delete, a run's, project's or account's cascade — counts), instead of summed over all of their media
 * at every run start, which grew with the library.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table users add column storage_bytes bigint not null default 0`.execute(db);
  await sql`update users set storage_bytes = coalesce((select sum(size) from media where media.user_id = users.id), 0)`.execute(db);
  await sql`
    create function media_storage_total() returns trigger language plpgsql as $$
    begin
      if tg_op in ('DELETE', 'UPDATE') then
        update users set storage_bytes = storage_bytes - old.size where id = old.user_id;
      end if;
      if tg_op in ('INSERT', 'UPDATE') then
        update users set storage_bytes = storage_bytes + new.size where id = new.user_id;
      end if;
      return null;
    end
    $$`.execute(db);
  await sql`
    create trigger media_storage_total after insert or delete or update of size, user_id on media
    for each row execute function media_storage_total()`.execute(db);
}
