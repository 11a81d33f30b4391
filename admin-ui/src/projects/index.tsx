import {
  ArrayField,
  ArrayInput,
  BooleanInput,
  Create,
  DataTable,
  DateField,
  DateInput,
  Edit,
  EditButton,
  List,
  NumberField,
  NumberInput,
  ReferenceField,
  SearchInput,
  SelectField,
  SelectInput,
  Show,
  SimpleFormIterator,
  TabbedForm,
  TabbedShowLayout,
  TextInput,
  TopToolbar,
  required,
  usePermissions,
  useRecordContext,
} from 'react-admin';
import { ApprovedChip, HistoryPanel, RegionInput, RegistryListActions, ReviewButton, SaveOnlyToolbar, choicesOf } from '../registries/components';
import { FieldGrid, InputGrid, bool, choice, num, ref, text, type FieldDef } from '../registries/fields';

/** 物业项目资料库 (D1): list with filters, record with its buildings, facilities, filings and history. */
const R = 'projects';

const BASIC: FieldDef[] = [
  text('code', { required: true }),
  text('name', { required: true }),
  text('address', { required: true }),
  { source: 'district_code', kind: 'region', level: 'district', nameSource: 'district_name', required: true },
  { source: 'street_code', kind: 'region', level: 'street', parentSource: 'district_code', nameSource: 'street_name' },
  { source: 'community_code', kind: 'region', level: 'community', parentSource: 'street_code', nameSource: 'community_name' },
  text('ring_road'),
  text('block'),
  text('housing_office'),
  text('postcode'),
  num('longitude', { step: 0.000001 }),
  num('latitude', { step: 0.000001 }),
  choice('nature', 'nature', { required: true }),
  choice('management_mode', 'management_mode', { required: true }),
  ref('enterprise_id', 'enterprises', 'name', { filter: { kind: 'property_service' } }),
  ref('developer_id', 'enterprises', 'name', { filter: { kind: 'developer' } }),
  num('build_year'),
  num('land_area', { step: 0.01 }),
  num('floor_area', { step: 0.01 }),
  text('door_numbers'),
];
const TECHNICAL: FieldDef[] = [
  num('buildings_count'),
  num('floors_max'),
  num('stairs_count'),
  num('households'),
  num('elevators'),
  num('parking_total'),
  num('parking_above'),
  num('parking_below'),
  num('entrances_24h'),
  num('entrances_timed'),
  num('water_tanks'),
  num('reservoirs'),
  num('property_rooms_area', { step: 0.01 }),
  num('office_rooms_area', { step: 0.01 }),
  num('commercial_rooms_area', { step: 0.01 }),
  text('maintenance_fund_account'),
  num('maintenance_fund_balance', { step: 0.01 }),
];
const FIRE: FieldDef[] = [num('fire_hydrants'), num('fire_extinguishers'), num('smoke_detectors'), num('heat_detectors'), num('sprinkler_pumps'), num('sprinkler_heads'), bool('fire_alarm_system')];
const SECURITY: FieldDef[] = [bool('perimeter_alarm'), num('video_cameras'), bool('video_control_room'), bool('access_control'), bool('indoor_alarm'), bool('physical_protection')];
const MANAGEMENT: FieldDef[] = [
  text('office_name'),
  text('office_address'),
  text('manager_name'),
  text('manager_mobile'),
  text('manager_phone'),
  text('manager_certificate_no'),
  text('email'),
  text('day_repair_phone'),
  text('night_repair_phone'),
  text('remarks', { multiline: true }),
];

const filters = [
  <SearchInput key="q" source="q" alwaysOn />,
  <RegionInput key="district_code" source="district_code" level="district" />,
  <SelectInput key="nature" source="nature" choices={choicesOf('nature')} />,
  <SelectInput key="management_mode" source="management_mode" choices={choicesOf('management_mode')} />,
  <BooleanInput key="approved" source="approved" />,
  <NumberInput key="build_year_gte" source="build_year_gte" label="resources.projects.fields.build_year_gte" />,
];

export const ProjectList = () => {
  const { permissions } = usePermissions<string[]>();
  const canWrite = Boolean(permissions?.includes('registries:write'));
  // Creating projects is the bureau's; enterprises and committees edit the ones they manage.
  const canCreate = Boolean(permissions?.includes('registries:review') && canWrite);
  return (
    <List filters={filters} sort={{ field: 'id', order: 'ASC' }} exporter={false} actions={<RegistryListActions canCreate={canCreate} importKey="项目代码" />}>
      <DataTable rowClick="show" bulkActionButtons={false}>
        <DataTable.Col source="code" />
        <DataTable.Col source="name" />
        <DataTable.Col source="district_name" />
        <DataTable.Col source="street_name" disableSort />
        <DataTable.Col source="nature">
          <SelectField source="nature" choices={choicesOf('nature')} />
        </DataTable.Col>
        <DataTable.Col source="enterprise_name" />
        <DataTable.Col source="households">
          <NumberField source="households" />
        </DataTable.Col>
        <DataTable.Col source="build_year" />
        <DataTable.Col source="approved">
          <ApprovedChip />
        </DataTable.Col>
      </DataTable>
    </List>
  );
};

const ShowActions = () => {
  const { permissions } = usePermissions<string[]>();
  return (
    <TopToolbar>
      <ReviewButton />
      {permissions?.includes('registries:write') && <EditButton />}
    </TopToolbar>
  );
};

const Title = () => {
  const record = useRecordContext<{ name: string; code: string }>();
  return <span>{record ? `${record.name}（${record.code}）` : ''}</span>;
};

export const ProjectShow = () => (
  <Show actions={<ShowActions />} title={<Title />}>
    <TabbedShowLayout>
      <TabbedShowLayout.Tab label="registries.ui.tabs.basic">
        <ApprovedChip />
        <FieldGrid defs={BASIC} resource={R} />
      </TabbedShowLayout.Tab>
      <TabbedShowLayout.Tab label="registries.ui.tabs.technical" path="technical">
        <FieldGrid defs={TECHNICAL} resource={R} />
      </TabbedShowLayout.Tab>
      <TabbedShowLayout.Tab label="registries.ui.tabs.fire" path="fire">
        <FieldGrid defs={FIRE} resource={R} />
        <FieldGrid defs={SECURITY} resource={R} />
      </TabbedShowLayout.Tab>
      <TabbedShowLayout.Tab label="registries.ui.tabs.management" path="management">
        <FieldGrid defs={MANAGEMENT} resource={R} />
      </TabbedShowLayout.Tab>
      <TabbedShowLayout.Tab label="registries.ui.tabs.buildings" path="buildings">
        <ArrayField source="buildings">
          <DataTable bulkActionButtons={false} rowClick={false}>
            {['number', 'door_number', 'floors_above', 'floors_below', 'stairs', 'households', 'elevators', 'structure', 'build_year'].map((f) => (
              <DataTable.Col key={f} source={f} label={`resources.projects.fields.buildings.${f}`} />
            ))}
          </DataTable>
        </ArrayField>
      </TabbedShowLayout.Tab>
      <TabbedShowLayout.Tab label="registries.ui.tabs.facilities" path="facilities">
        <ArrayField source="facilities">
          <DataTable bulkActionButtons={false} rowClick={false}>
            {['kind', 'name', 'quantity', 'location'].map((f) => (
              <DataTable.Col key={f} source={f} label={`resources.projects.fields.facilities.${f}`} />
            ))}
            <DataTable.Col source="status" label="resources.projects.fields.facilities.status">
              <SelectField source="status" choices={choicesOf('facility_status')} />
            </DataTable.Col>
            <DataTable.Col source="last_checked_on" label="resources.projects.fields.facilities.last_checked_on">
              <DateField source="last_checked_on" />
            </DataTable.Col>
          </DataTable>
        </ArrayField>
      </TabbedShowLayout.Tab>
      <TabbedShowLayout.Tab label="registries.ui.tabs.contracts" path="contracts">
        <ArrayField source="contracts">
          <DataTable bulkActionButtons={false} rowClick={false}>
            <DataTable.Col source="kind" label="resources.projects.fields.contracts.kind" />
            <DataTable.Col source="enterprise_id" label="resources.projects.fields.contracts.enterprise_id">
              <ReferenceField source="enterprise_id" reference="enterprises" link="show" />
            </DataTable.Col>
            {['contract_no', 'starts_on', 'ends_on', 'fee_per_sqm', 'filing_no', 'filed_on', 'case_ref'].map((f) => (
              <DataTable.Col key={f} source={f} label={`resources.projects.fields.contracts.${f}`} />
            ))}
          </DataTable>
        </ArrayField>
        <ArrayField source="awards">
          <DataTable bulkActionButtons={false} rowClick={false}>
            <DataTable.Col source="enterprise_id" label="resources.projects.fields.awards.enterprise_id">
              <ReferenceField source="enterprise_id" reference="enterprises" link="show" />
            </DataTable.Col>
            {['tenderer', 'awarded_on', 'term_months', 'fee_per_sqm', 'announcement_no', 'case_ref'].map((f) => (
              <DataTable.Col key={f} source={f} label={`resources.projects.fields.awards.${f}`} />
            ))}
          </DataTable>
        </ArrayField>
      </TabbedShowLayout.Tab>
      <TabbedShowLayout.Tab label="registries.ui.tabs.history" path="history">
        <HistoryPanel entity="project" />
      </TabbedShowLayout.Tab>
    </TabbedShowLayout>
  </Show>
);

const ProjectForm = () => (
  <TabbedForm toolbar={<SaveOnlyToolbar />}>
    <TabbedForm.Tab label="registries.ui.tabs.basic">
      <InputGrid defs={BASIC} resource={R} />
    </TabbedForm.Tab>
    <TabbedForm.Tab label="registries.ui.tabs.technical" path="technical">
      <InputGrid defs={TECHNICAL} resource={R} />
    </TabbedForm.Tab>
    <TabbedForm.Tab label="registries.ui.tabs.fire" path="fire">
      <InputGrid defs={[...FIRE, ...SECURITY]} resource={R} />
    </TabbedForm.Tab>
    <TabbedForm.Tab label="registries.ui.tabs.management" path="management">
      <InputGrid defs={MANAGEMENT} resource={R} />
    </TabbedForm.Tab>
    <TabbedForm.Tab label="registries.ui.tabs.buildings" path="buildings">
      <ArrayInput source="buildings" label="registries.ui.tabs.buildings">
        <SimpleFormIterator inline>
          <TextInput source="number" validate={required()} />
          <TextInput source="door_number" />
          <NumberInput source="floors_above" />
          <NumberInput source="floors_below" />
          <NumberInput source="stairs" />
          <NumberInput source="households" />
          <NumberInput source="elevators" />
          <TextInput source="structure" />
          <NumberInput source="build_year" />
        </SimpleFormIterator>
      </ArrayInput>
    </TabbedForm.Tab>
    <TabbedForm.Tab label="registries.ui.tabs.facilities" path="facilities">
      <ArrayInput source="facilities" label="registries.ui.tabs.facilities">
        <SimpleFormIterator inline>
          <TextInput source="kind" validate={required()} />
          <TextInput source="name" validate={required()} />
          <NumberInput source="quantity" />
          <TextInput source="location" />
          <SelectInput source="status" choices={choicesOf('facility_status')} />
          <DateInput source="last_checked_on" />
        </SimpleFormIterator>
      </ArrayInput>
    </TabbedForm.Tab>
  </TabbedForm>
);

export const ProjectEdit = () => (
  <Edit mutationMode="pessimistic" redirect="show" title={<Title />}>
    <ProjectForm />
  </Edit>
);

export const ProjectCreate = () => (
  <Create redirect="show">
    <ProjectForm />
  </Create>
);
