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
import * as m090 from './090_registry_personal_data';
import * as m095 from './095_admin_second_factor';
import * as m100 from './100_operation_log_chain';
import * as m101 from './101_operation_log_archives';
import * as m105 from './105_file_encryption';
import * as m110 from './110_retention_markers';
import * as m111 from './111_sms_redaction';
import * as m112 from './112_retention_runs';
import * as m115 from './115_case_incidents';
import * as m116 from './116_process_lifecycle';
import * as m117 from './117_task_pool';
import * as m118 from './118_child_cases';
import * as m119 from './119_camunda_forms';
import * as m120 from './120_signal_subscriptions';
import * as m121 from './121_case_jobs';
import * as m122 from './122_decisions';
import * as m123 from './123_saved_filters';
import * as m124 from './124_sms_messages_by_user';
import * as m125 from './125_credit_standards';
import * as m126 from './126_credit_notices';
import * as m127 from './127_credit_lists';
import * as m128 from './128_credit_ratings';
import * as m129 from './129_credit_manager_caps';
import * as m130 from './130_credit_publications';
import * as m131 from './131_credit_cap_alerts';

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
  '090_registry_personal_data': m090,
  '095_admin_second_factor': m095,
  '100_operation_log_chain': m100,
  '101_operation_log_archives': m101,
  '105_file_encryption': m105,
  '110_retention_markers': m110,
  '111_sms_redaction': m111,
  '112_retention_runs': m112,
  '115_case_incidents': m115,
  '116_process_lifecycle': m116,
  '117_task_pool': m117,
  '118_child_cases': m118,
  '119_camunda_forms': m119,
  '120_signal_subscriptions': m120,
  '121_case_jobs': m121,
  '122_decisions': m122,
  '123_saved_filters': m123,
  '124_sms_messages_by_user': m124,
  '125_credit_standards': m125,
  '126_credit_notices': m126,
  '127_credit_lists': m127,
  '128_credit_ratings': m128,
  '129_credit_manager_caps': m129,
  '130_credit_publications': m130,
  '131_credit_cap_alerts': m131,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name],
};
