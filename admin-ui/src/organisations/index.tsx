import { BooleanField, BooleanInput, Create, DataTable, Edit, List, SearchInput, SelectField, SelectInput, SimpleForm, TextInput, required, usePermissions } from 'react-admin';
import { ORG_KIND_CHOICES } from '../choices';

const filters = [<SearchInput key="q" source="q" alwaysOn />, <SelectInput key="kind" source="kind" choices={ORG_KIND_CHOICES} />];

export const OrganisationList = () => {
  const { permissions } = usePermissions<string[]>();
  const canWrite = permissions?.includes('organisations:write');
  return (
    <List filters={filters} sort={{ field: 'id', order: 'ASC' }}>
      <DataTable rowClick={canWrite ? 'edit' : false} bulkActionButtons={false}>
        <DataTable.Col source="code" />
        <DataTable.Col source="name" />
        <DataTable.Col source="kind">
          <SelectField source="kind" choices={ORG_KIND_CHOICES} />
        </DataTable.Col>
        <DataTable.Col source="district_code" />
        <DataTable.Col source="phone" disableSort />
        <DataTable.Col source="active">
          <BooleanField source="active" />
        </DataTable.Col>
      </DataTable>
    </List>
  );
};

const OrganisationForm = () => (
  <SimpleForm>
    <TextInput source="code" validate={required()} />
    <TextInput source="name" validate={required()} fullWidth />
    <SelectInput source="kind" choices={ORG_KIND_CHOICES} validate={required()} />
    <TextInput source="district_code" />
    <TextInput source="street_code" />
    <TextInput source="phone" />
    <TextInput source="address" fullWidth />
    <BooleanInput source="active" defaultValue={true} />
  </SimpleForm>
);

// The API takes the whole record on PUT; keep only the fields the form owns.
const toBody = (data: Record<string, unknown>) => {
  const { code, name, kind, district_code, street_code, phone, address, active } = data;
  const blank = (v: unknown) => (v === '' || v === undefined ? null : v);
  return { code, name, kind, district_code: blank(district_code), street_code: blank(street_code), phone: blank(phone), address: blank(address), active };
};

export const OrganisationEdit = () => (
  <Edit mutationMode="pessimistic" transform={toBody}>
    <OrganisationForm />
  </Edit>
);

export const OrganisationCreate = () => (
  <Create redirect="list" transform={toBody}>
    <OrganisationForm />
  </Create>
);
