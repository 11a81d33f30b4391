#!/bin/sh
# Creates (or upgrades) Temporal's two MySQL 8 databases with admin-tools' temporal-sql-tool.
# Safe to run again: create is skipped when the database exists, update-schema is idempotent.
set -eu
tool() { temporal-sql-tool --plugin "$SQL_PLUGIN" --ep "$SQL_HOST" -p "$SQL_PORT" -u "$SQL_USER" --pw "$SQL_PASSWORD" "$@"; }

for db in temporal temporal_visibility; do
  case "$db" in
    temporal) schema=/etc/temporal/schema/mysql/v8/temporal/versioned ;;
    temporal_visibility) schema=/etc/temporal/schema/mysql/v8/visibility/versioned ;;
  esac
  tool --db "$db" create || echo "database $db exists"
  tool --db "$db" setup-schema -v 0.0 || echo "schema of $db already set up"
  tool --db "$db" update-schema -d "$schema"
done
echo "Temporal schemas are up to date"
