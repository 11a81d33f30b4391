#!/bin/sh
# First start of the MySQL container only: the platform's own database and user, apart from
# Temporal's. The password comes from PLATFORM_DB_PASSWORD in the container's environment.
set -eu
mysql -uroot -p"$MYSQL_ROOT_PASSWORD" <<SQL
CREATE DATABASE IF NOT EXISTS propsvc CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'propsvc'@'%' IDENTIFIED BY '${PLATFORM_DB_PASSWORD}';
GRANT ALL PRIVILEGES ON propsvc.* TO 'propsvc'@'%';
GRANT TRIGGER ON propsvc.* TO 'propsvc'@'%';
SQL
