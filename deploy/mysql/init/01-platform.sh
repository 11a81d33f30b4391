#!/bin/sh
# First start of the MySQL container only: the platform's own database and its two accounts,
# apart from Temporal's (docs/deployment-security.md, "Database accounts"):
# - propsvc_migrate (DATABASE_MIGRATION_URL): owns the schema. Migrations, the runtime grants and
#   the operation log's retention deletes run under it, in the one-shot `migrate` service and
#   `npm run audit:archive`; the API and the workers never hold its password.
# - propsvc (DATABASE_URL): the API and the workers. Data only: no DDL, no TRIGGER, no GRANT,
#   no UPDATE or DELETE on the operation log (deploy/mysql/runtime-grants.sql).
# - propsvc_backup (BACKUP_DATABASE_URL): the approvals worker's daily dump. Reads, plus TRIGGER
#   and EVENT so that the dump carries the operation log's triggers (mysqldump omits triggers its
#   account may not see, and the backup refuses such a dump). TRIGGER would also let it drop a
#   trigger: the log's HMAC chain still shows any change made after that (audit:verify).
# The passwords come from PLATFORM_DB_PASSWORD, PLATFORM_MIGRATION_DB_PASSWORD and
# PLATFORM_BACKUP_DB_PASSWORD.
set -eu
: "${PLATFORM_MIGRATION_DB_PASSWORD:?set PLATFORM_MIGRATION_DB_PASSWORD}"
: "${PLATFORM_BACKUP_DB_PASSWORD:?set PLATFORM_BACKUP_DB_PASSWORD}"
mysql -uroot -p"$MYSQL_ROOT_PASSWORD" <<SQL
CREATE DATABASE IF NOT EXISTS propsvc CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'propsvc_migrate'@'%' IDENTIFIED BY '${PLATFORM_MIGRATION_DB_PASSWORD}';
GRANT ALL PRIVILEGES ON propsvc.* TO 'propsvc_migrate'@'%' WITH GRANT OPTION;
CREATE USER IF NOT EXISTS 'propsvc'@'%' IDENTIFIED BY '${PLATFORM_DB_PASSWORD}';
CREATE USER IF NOT EXISTS 'propsvc_backup'@'%' IDENTIFIED BY '${PLATFORM_BACKUP_DB_PASSWORD}';
GRANT SELECT, SHOW VIEW, TRIGGER, LOCK TABLES, EVENT ON propsvc.* TO 'propsvc_backup'@'%';
SQL
# The shared grants script without its per-table blocks (no table exists yet; `npm run migrate`
# applies the whole script after the migrations) and without its REVOKEs (the account is new).
sed -e '/^-- @each-table/,/^-- @end/d' -e '/^-- @if-table/,/^-- @end/d' -e '/^REVOKE /d' \
  -e 's/{{database}}/propsvc/g' -e "s/{{account}}/'propsvc'@'%'/g" /etc/platform/runtime-grants.sql |
  mysql -uroot -p"$MYSQL_ROOT_PASSWORD"
