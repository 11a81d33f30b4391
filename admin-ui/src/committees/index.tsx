import {
  ArrayField,
  ArrayInput,
  BooleanInput,
  Create,
  DataTable,
  DateField,
  Edit,
  EditButton,
  List,
  NumberInput,
  ReferenceField,
  ReferenceInput,
  AutocompleteInput,
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
  useTranslate,
} from 'react-admin';
import { ApprovedChip, HistoryPanel, RegionInput, RegistryListActions, ReviewButton, SaveOnlyToolbar, choicesOf } from '../registries/components';
import { FieldGrid, InputGrid, choice, day, ref, text, type FieldDef } from '../registries/fields';
import { PersonalChildText, PersonalReveal, RevealButton, useMaskedHint } from '../registries/personal';

/** 业主委员会资料库 (D4): committee, members and officers, contracted providers. */
const R = 'committees';

const FIELDS: FieldDef[] = [
  text('name', { required: true }),
  ref('project_id', 'projects', 'name', { required: true }),
  text('office_address'),
  text('phone_24h'),
  day('established_on'),
  day('term_starts_on'),
  day('term_ends_on'),
  text('filing_no'),
  choice('status', 'committee_status'),
  text('remarks', { multiline: true }),
];
const PLACE: FieldDef[] = [
  { source: 'district_code', kind: 'region', level: 'district', nameSource: 'district_name' },
  { source: 'street_code', kind: 'region', level: 'street', nameSource: 'street_name' },
];

const filters = [
  <SearchInput key="q" source="q" alwaysOn />,
  <RegionInput key="district_code" source="district_code" level="district" />,
  <SelectInput key="status" source="status" choices={choicesOf('committee_status')} />,
  <BooleanInput key="approved" source="approved" />,
];

export const CommitteeList = () => {
  const { permissions } = usePermissions<string[]>();
  const canCreate = Boolean(permissions?.includes('registries:write') && permissions.includes('registries:review'));
  return (
    <List filters={filters} sort={{ field: 'id', order: 'ASC' }} exporter={false} actions={<RegistryListActions canCreate={canCreate} />}>
      <DataTable rowClick="show" bulkActionButtons={false}>
        <DataTable.Col source="name" />
        <DataTable.Col source="project_name" />
        <DataTable.Col source="district_name" disableSort />
        <DataTable.Col source="street_name" disableSort />
        <DataTable.Col source="phone_24h" disableSort />
        <DataTable.Col source="term_ends_on">
          <DateField source="term_ends_on" />
        </DataTable.Col>
        <DataTable.Col source="status">
          <SelectField source="status" choices={choicesOf('committee_status')} />
        </DataTable.Col>
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
      <RevealButton />
      <ReviewButton />
      {permissions?.includes('registries:write') && <EditButton />}
    </TopToolbar>
  );
};

export const CommitteeShow = () => (
  <PersonalReveal>
    <Show actions={<ShowActions />}>
      <TabbedShowLayout>
        <TabbedShowLayout.Tab label="registries.ui.tabs.basic">
          <ApprovedChip />
          <FieldGrid defs={[...FIELDS, ...PLACE]} resource={R} />
        </TabbedShowLayout.Tab>
        <TabbedShowLayout.Tab label="registries.ui.tabs.members" path="members">
          <ArrayField source="members">
            <DataTable bulkActionButtons={false} rowClick={false}>
              <DataTable.Col source="name" label="resources.committees.fields.members.name" />
              <DataTable.Col source="position" label="resources.committees.fields.members.position">
                <SelectField source="position" choices={choicesOf('position')} />
              </DataTable.Col>
              {['officer', 'responsibility'].map((f) => (
                <DataTable.Col key={f} source={f} label={`resources.committees.fields.members.${f}`} />
              ))}
              {/* Masked by the server; clear after "显示" (pii:read, logged). */}
              <DataTable.Col source="phone" label="resources.committees.fields.members.phone">
                <PersonalChildText childKey="members" source="phone" />
              </DataTable.Col>
              {['birth_year', 'political_status'].map((f) => (
                <DataTable.Col key={f} source={f} label={`resources.committees.fields.members.${f}`} />
              ))}
            </DataTable>
          </ArrayField>
        </TabbedShowLayout.Tab>
        <TabbedShowLayout.Tab label="registries.ui.tabs.providers" path="providers">
          <ArrayField source="providers">
            <DataTable bulkActionButtons={false} rowClick={false}>
              <DataTable.Col source="service" label="resources.committees.fields.providers.service">
                <SelectField source="service" choices={choicesOf('provider_service')} />
              </DataTable.Col>
              <DataTable.Col source="enterprise_id" label="resources.committees.fields.providers.enterprise_id">
                <ReferenceField source="enterprise_id" reference="enterprises" link="show" emptyText="—" />
              </DataTable.Col>
              {['provider_name', 'qualification', 'contact_person', 'phone', 'contract_starts_on', 'contract_ends_on'].map((f) => (
                <DataTable.Col key={f} source={f} label={`resources.committees.fields.providers.${f}`} />
              ))}
            </DataTable>
          </ArrayField>
        </TabbedShowLayout.Tab>
        <TabbedShowLayout.Tab label="registries.ui.tabs.history" path="history">
          <HistoryPanel entity="committee" />
        </TabbedShowLayout.Tab>
      </TabbedShowLayout>
    </Show>
  </PersonalReveal>
);

const CommitteeForm = () => {
  const maskedHint = useMaskedHint();
  const translate = useTranslate();
  return (
    <TabbedForm toolbar={<SaveOnlyToolbar />}>
      <TabbedForm.Tab label="registries.ui.tabs.basic">
        <InputGrid defs={FIELDS} resource={R} />
      </TabbedForm.Tab>
      <TabbedForm.Tab label="registries.ui.tabs.members" path="members">
        <ArrayInput source="members" label="registries.ui.tabs.members">
          <SimpleFormIterator inline>
            <TextInput source="name" validate={required()} />
            <SelectInput source="position" choices={choicesOf('position')} validate={required()} />
            <BooleanInput source="officer" />
            <TextInput source="responsibility" />
            <TextInput source="phone" helperText={maskedHint} />
            {/* Minimisation (PIPL): optional, and said so; never in a list or an export. */}
            <NumberInput source="birth_year" helperText={translate('registries.ui.optional_hint')} />
            <TextInput source="political_status" helperText={translate('registries.ui.optional_hint')} />
          </SimpleFormIterator>
        </ArrayInput>
      </TabbedForm.Tab>
      <TabbedForm.Tab label="registries.ui.tabs.providers" path="providers">
        <ArrayInput source="providers" label="registries.ui.tabs.providers">
          <SimpleFormIterator inline>
            <SelectInput source="service" choices={choicesOf('provider_service')} validate={required()} />
            <ReferenceInput source="enterprise_id" reference="enterprises">
              <AutocompleteInput optionText="name" filterToQuery={(q: string) => ({ q })} />
            </ReferenceInput>
            <TextInput source="provider_name" validate={required()} />
            <TextInput source="qualification" />
            <TextInput source="contact_person" />
            <TextInput source="phone" />
          </SimpleFormIterator>
        </ArrayInput>
      </TabbedForm.Tab>
    </TabbedForm>
  );
};

export const CommitteeEdit = () => (
  <Edit mutationMode="pessimistic" redirect="show">
    <CommitteeForm />
  </Edit>
);

export const CommitteeCreate = () => (
  <Create redirect="show">
    <CommitteeForm />
  </Create>
);
