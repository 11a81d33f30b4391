import {
  BooleanInput,
  Create,
  DataTable,
  DateField,
  Edit,
  EditButton,
  List,
  NumberField,
  ReferenceManyField,
  SearchInput,
  SelectField,
  SelectInput,
  Show,
  SimpleForm,
  TabbedShowLayout,
  TopToolbar,
  useGetIdentity,
  usePermissions,
  useRecordContext,
} from 'react-admin';
import { ApprovedChip, HistoryPanel, RegionInput, RegistryListActions, ReviewButton, SaveOnlyToolbar, choicesOf } from '../registries/components';
import { FieldGrid, InputGrid, bool, choice, day, num, ref, text, type FieldDef } from '../registries/fields';

/** 物业服务企业资料库 (D3): property-service companies, developers and subcontractors. */
const R = 'enterprises';

const BASIC: FieldDef[] = [
  text('name', { required: true }),
  choice('kind', 'enterprise_kind', { required: true }),
  choice('specialty', 'specialty'),
  ref('parent_enterprise_id', 'enterprises', 'name', { filter: { kind: 'property_service' } }),
  text('credit_code', { required: true }),
  text('legal_representative', { required: true }),
  num('registered_capital', { step: 0.01 }),
  day('established_on'),
  text('address'),
  { source: 'district_code', kind: 'region', level: 'district', nameSource: 'district_name', required: true },
  { source: 'street_code', kind: 'region', level: 'street', parentSource: 'district_code', nameSource: 'street_code' },
  text('phone'),
  text('service_phone'),
  text('email'),
  num('employees'),
  bool('out_of_town'),
  text('remarks', { multiline: true }),
];
// Granted by the qualification approval; only city staff may correct them by hand.
const QUALIFICATION: FieldDef[] = [choice('qualification_level', 'qualification_level'), text('qualification_certificate_no'), day('qualification_valid_until')];

const filters = [
  <SearchInput key="q" source="q" alwaysOn />,
  <SelectInput key="kind" source="kind" choices={choicesOf('enterprise_kind')} alwaysOn />,
  <SelectInput key="qualification_level" source="qualification_level" choices={choicesOf('qualification_level')} />,
  <RegionInput key="district_code" source="district_code" level="district" />,
  <BooleanInput key="approved" source="approved" />,
];

export const EnterpriseList = () => {
  const { permissions } = usePermissions<string[]>();
  const canCreate = Boolean(permissions?.includes('registries:write') && permissions.includes('registries:review'));
  return (
    <List filters={filters} sort={{ field: 'id', order: 'ASC' }} exporter={false} actions={<RegistryListActions canCreate={canCreate} importKey="统一社会信用代码" />}>
      <DataTable rowClick="show" bulkActionButtons={false}>
        <DataTable.Col source="name" />
        <DataTable.Col source="kind">
          <SelectField source="kind" choices={choicesOf('enterprise_kind')} />
        </DataTable.Col>
        <DataTable.Col source="credit_code" />
        <DataTable.Col source="district_name" disableSort />
        <DataTable.Col source="qualification_level">
          <SelectField source="qualification_level" choices={choicesOf('qualification_level')} />
        </DataTable.Col>
        <DataTable.Col source="qualification_valid_until">
          <DateField source="qualification_valid_until" />
        </DataTable.Col>
        <DataTable.Col source="projects_count" disableSort />
        <DataTable.Col source="credit_score">
          <NumberField source="credit_score" />
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
      <ReviewButton />
      {permissions?.includes('registries:write') && <EditButton />}
    </TopToolbar>
  );
};

const Title = () => <span>{useRecordContext<{ name: string }>()?.name ?? ''}</span>;

export const EnterpriseShow = () => (
  <Show actions={<ShowActions />} title={<Title />}>
    <TabbedShowLayout>
      <TabbedShowLayout.Tab label="registries.ui.tabs.basic">
        <ApprovedChip />
        <FieldGrid defs={BASIC} resource={R} />
      </TabbedShowLayout.Tab>
      <TabbedShowLayout.Tab label="registries.ui.tabs.qualification" path="qualification">
        <FieldGrid defs={QUALIFICATION} resource={R} />
      </TabbedShowLayout.Tab>
      <TabbedShowLayout.Tab label="registries.ui.tabs.projects" path="projects">
        <ReferenceManyField reference="projects" target="enterprise_id" perPage={50}>
          <DataTable rowClick="show" bulkActionButtons={false}>
            <DataTable.Col source="code" />
            <DataTable.Col source="name" />
            <DataTable.Col source="district_name" />
            <DataTable.Col source="households" />
          </DataTable>
        </ReferenceManyField>
      </TabbedShowLayout.Tab>
      <TabbedShowLayout.Tab label="registries.ui.tabs.staff" path="staff">
        <ReferenceManyField reference="staff" target="enterprise_id" perPage={100}>
          <DataTable rowClick="show" bulkActionButtons={false}>
            <DataTable.Col source="name" />
            <DataTable.Col source="role">
              <SelectField source="role" choices={choicesOf('staff_role')} />
            </DataTable.Col>
            <DataTable.Col source="certificate_no" />
            <DataTable.Col source="duplicate_registration" />
          </DataTable>
        </ReferenceManyField>
      </TabbedShowLayout.Tab>
      <TabbedShowLayout.Tab label="registries.ui.tabs.credit" path="credit">
        <ReferenceManyField reference="credit-events" target="enterprise_id" perPage={50} sort={{ field: 'occurred_on', order: 'DESC' }}>
          <DataTable rowClick="show" bulkActionButtons={false}>
            <DataTable.Col source="occurred_on">
              <DateField source="occurred_on" />
            </DataTable.Col>
            <DataTable.Col source="category">
              <SelectField source="category" choices={choicesOf('credit_category')} />
            </DataTable.Col>
            <DataTable.Col source="points" />
            <DataTable.Col source="status">
              <SelectField source="status" choices={choicesOf('credit_status')} />
            </DataTable.Col>
            <DataTable.Col source="description" />
          </DataTable>
        </ReferenceManyField>
      </TabbedShowLayout.Tab>
      <TabbedShowLayout.Tab label="registries.ui.tabs.history" path="history">
        <HistoryPanel entity="enterprise" />
      </TabbedShowLayout.Tab>
    </TabbedShowLayout>
  </Show>
);

const EnterpriseForm = () => {
  const { identity } = useGetIdentity();
  const cityWide = (identity as { scope?: { kind: string } } | undefined)?.scope?.kind === 'city';
  return (
    <SimpleForm toolbar={<SaveOnlyToolbar />}>
      <InputGrid defs={BASIC} resource={R} />
      <InputGrid defs={QUALIFICATION.map((d) => ({ ...d, readOnly: !cityWide }))} resource={R} />
    </SimpleForm>
  );
};

export const EnterpriseEdit = () => (
  <Edit mutationMode="pessimistic" redirect="show" title={<Title />}>
    <EnterpriseForm />
  </Edit>
);

export const EnterpriseCreate = () => (
  <Create redirect="show">
    <EnterpriseForm />
  </Create>
);
