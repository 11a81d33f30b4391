import { Chip } from '@mui/material';
import {
  BooleanInput,
  Create,
  DataTable,
  DateField,
  Edit,
  EditButton,
  List,
  NumberField,
  ReferenceInput,
  AutocompleteInput,
  ReferenceManyField,
  SearchInput,
  SelectField,
  SelectInput,
  Show,
  SimpleForm,
  TabbedShowLayout,
  TopToolbar,
  usePermissions,
  useRecordContext,
  useTranslate,
} from 'react-admin';
import { ApprovedChip, HistoryPanel, RegistryListActions, ReviewButton, SaveOnlyToolbar, choicesOf } from '../registries/components';
import { FieldGrid, InputGrid, bool, choice, day, ref, text, type FieldDef } from '../registries/fields';
import { PersonalReveal, RevealButton } from '../registries/personal';

/** Enterprise staff (D3 主要人员): managers, professionals, key personnel, with the double-registration flag. */
const R = 'staff';

const FIELDS: FieldDef[] = [
  ref('enterprise_id', 'enterprises', 'name', { required: true }),
  text('name', { required: true }),
  text('id_number', { required: true }),
  text('mobile'),
  choice('role', 'staff_role', { required: true }),
  text('title'),
  text('certificate_type'),
  text('certificate_no'),
  day('certificate_valid_until'),
  ref('project_id', 'projects', 'name'),
  bool('active'),
  day('registered_on'),
  day('left_on'),
];

/** Red when the person is also active at another enterprise (重复挂职). */
export const DuplicateFlag = () => {
  const record = useRecordContext<{ duplicate_registration: boolean }>();
  const translate = useTranslate();
  return record?.duplicate_registration ? <Chip size="small" color="error" label={translate('registries.ui.duplicate')} /> : null;
};

const filters = [
  <SearchInput key="q" source="q" alwaysOn />,
  <BooleanInput key="duplicate_registration" source="duplicate_registration" label="registries.ui.duplicates_only" alwaysOn />,
  <SelectInput key="role" source="role" choices={choicesOf('staff_role')} />,
  <ReferenceInput key="enterprise_id" source="enterprise_id" reference="enterprises">
    <AutocompleteInput optionText="name" filterToQuery={(q: string) => ({ q })} />
  </ReferenceInput>,
  <BooleanInput key="active" source="active" />,
];

export const StaffList = () => {
  const { permissions } = usePermissions<string[]>();
  return (
    <List filters={filters} sort={{ field: 'id', order: 'ASC' }} exporter={false} actions={<RegistryListActions canCreate={Boolean(permissions?.includes('registries:write'))} importKey="所属企业信用代码 + 身份证号" />}>
      <DataTable rowClick="show" bulkActionButtons={false}>
        <DataTable.Col source="name" />
        <DataTable.Col source="role">
          <SelectField source="role" choices={choicesOf('staff_role')} />
        </DataTable.Col>
        <DataTable.Col source="enterprise_name" />
        <DataTable.Col source="project_name" disableSort />
        <DataTable.Col source="certificate_no" disableSort />
        <DataTable.Col source="credit_score">
          <NumberField source="credit_score" />
        </DataTable.Col>
        <DataTable.Col source="duplicate_registration">
          <DuplicateFlag />
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

export const StaffShow = () => (
  <PersonalReveal>
    <Show actions={<ShowActions />}>
      <TabbedShowLayout>
        <TabbedShowLayout.Tab label="registries.ui.tabs.basic">
          <ApprovedChip />
          <DuplicateFlag />
          <FieldGrid defs={FIELDS} resource={R} />
        </TabbedShowLayout.Tab>
        <TabbedShowLayout.Tab label="registries.ui.tabs.trainings" path="trainings">
          <ReferenceManyField reference="trainings" target="staff_id" sort={{ field: 'held_on', order: 'DESC' }}>
            <DataTable bulkActionButtons={false} rowClick={false}>
              <DataTable.Col source="held_on">
                <DateField source="held_on" />
              </DataTable.Col>
              <DataTable.Col source="kind">
                <SelectField source="kind" choices={choicesOf('training_kind')} />
              </DataTable.Col>
              <DataTable.Col source="title" />
              <DataTable.Col source="score" />
              <DataTable.Col source="result">
                <SelectField source="result" choices={choicesOf('training_result')} />
              </DataTable.Col>
            </DataTable>
          </ReferenceManyField>
        </TabbedShowLayout.Tab>
        <TabbedShowLayout.Tab label="registries.ui.tabs.credit" path="credit">
          <ReferenceManyField reference="credit-events" target="staff_id" sort={{ field: 'occurred_on', order: 'DESC' }}>
            <DataTable bulkActionButtons={false} rowClick="show">
              <DataTable.Col source="occurred_on">
                <DateField source="occurred_on" />
              </DataTable.Col>
              <DataTable.Col source="category">
                <SelectField source="category" choices={choicesOf('credit_category')} />
              </DataTable.Col>
              <DataTable.Col source="points" />
              <DataTable.Col source="description" />
            </DataTable>
          </ReferenceManyField>
        </TabbedShowLayout.Tab>
        <TabbedShowLayout.Tab label="registries.ui.tabs.history" path="history">
          <HistoryPanel entity="staff" />
        </TabbedShowLayout.Tab>
      </TabbedShowLayout>
    </Show>
  </PersonalReveal>
);

const StaffForm = () => (
  <SimpleForm toolbar={<SaveOnlyToolbar />}>
    <InputGrid defs={FIELDS} resource={R} />
  </SimpleForm>
);

export const StaffEdit = () => (
  <Edit mutationMode="pessimistic" redirect="show">
    <StaffForm />
  </Edit>
);

export const StaffCreate = () => (
  <Create redirect="show">
    <StaffForm />
  </Create>
);

/** 重复挂职: each person registered at several enterprises, with where (ID numbers masked by the server). */
export const StaffDuplicateList = () => (
  <List sort={{ field: 'name', order: 'ASC' }} exporter={false} filters={[<SearchInput key="q" source="q" alwaysOn />]}>
    <DataTable bulkActionButtons={false} rowClick={false}>
      <DataTable.Col source="name" />
      <DataTable.Col source="id_number" />
      <DataTable.Col source="enterprises" />
      <DataTable.Col source="enterprise_names" disableSort />
    </DataTable>
  </List>
);
