import type { Knex } from 'knex';
import * as m001 from './001_regions_organisations_users';
import * as m002 from './002_operation_log';
import * as m010 from './010_sms';
import * as m020 from './020_process_engine';
import * as m030 from './030_registries';
import * as m040 from './040_files';
import * as m050 from './050_approvals';
import * as m055 from './055_security';
import * as m060 from './060_file_links';
import * as m070 from './070_version_forms';
import * as m080 from './080_case_access';
import * as m081 from './081_sms_message_log';
import * as m085 from './085_approval_list_indexes';
import * as m088 from './088_account_and_log_list_indexes';
import * as m089 from './089_registry_list_indexes';

/**
 * The ordered list of migrations. Listing them here (instead of letting knex scan a folder)
 * makes them load the same way under tsx, jest and a bundled build. Append only; never edit a
 * migration that has shipped — add a new one.
 */
const migrations: Record<string, Knex.Migration> = {
  '001_regions_organisations_users': m001,
  '002_operation_log': m002,
  '010_sms': m010,
  '020_process_engine': m020,
  '030_registries': m030,
  '040_files': m040,
  '050_approvals': m050,
  '055_security': m055,
  '060_file_links': m060,
  '070_version_forms': m070,
  '080_case_access': m080,
  '081_sms_message_log': m081,
  '085_approval_list_indexes': m085,
  '088_account_and_log_list_indexes': m088,
  '089_registry_list_indexes': m089,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name],
};
