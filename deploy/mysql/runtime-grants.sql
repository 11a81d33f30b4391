-- What the platform's runtime account (DATABASE_URL: the API and the workers) may do in its
-- database: read everything, write the data, append to the operation log — and nothing else. No
-- DDL (CREATE, ALTER, DROP, INDEX), no TRIGGER, no GRANT OPTION, no UPDATE or DELETE on the
-- operation log, no writes to its archive records. Schema changes, grants and the operation
-- log's retention deletes run under the migration account (DATABASE_MIGRATION_URL).
--
-- One script, two readers (docs/deployment-security.md):
-- * deploy/mysql/init/01-platform.sh, at the MySQL container's first start, runs the plain
--   GRANT statements (the `-- @…` blocks removed: no table exists yet);
-- * `npm run migrate` (db/grants.ts) runs all of it after every migration, so a table added by a
--   migration gets its grants at once; the tests run it the same way (tests/security/db-account.test.ts).
-- MySQL cannot grant on a database "except one table", hence the per-table block. Placeholders:
-- {{database}} the database name, {{account}} the runtime account ('user'@'host', quoted).

-- Start from nothing, so an installation whose runtime account once held ALL PRIVILEGES loses
-- them. (Only in this database: the migration account may not touch other grants. A REVOKE of
-- a grant the account does not hold is an error that db/grants.ts ignores; the first-start
-- script, where the account is new, leaves these lines out.)
REVOKE ALL PRIVILEGES ON `{{database}}`.* FROM {{account}};
REVOKE GRANT OPTION ON `{{database}}`.* FROM {{account}};
-- @each-table
REVOKE ALL PRIVILEGES ON `{{database}}`.`{{table}}` FROM {{account}};
REVOKE GRANT OPTION ON `{{database}}`.`{{table}}` FROM {{account}};
-- @end

GRANT SELECT ON `{{database}}`.* TO {{account}};

-- @each-table except operation_log operation_log_head operation_log_archives knex_migrations knex_migrations_lock
GRANT INSERT, UPDATE, DELETE ON `{{database}}`.`{{table}}` TO {{account}};
-- @end

-- @if-table operation_log
GRANT INSERT ON `{{database}}`.`operation_log` TO {{account}};
-- @end

-- The chain's head (db/operation-log.ts): each append moves it. No INSERT or DELETE: the row is
-- the migration's, and a forged head only breaks the next link, which audit:verify reports.
-- @if-table operation_log_head
GRANT UPDATE ON `{{database}}`.`operation_log_head` TO {{account}};
-- @end
