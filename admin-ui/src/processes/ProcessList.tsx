import AddIcon from '@mui/icons-material/Add';
import { Button, DataTable, DateField, List, SearchInput, TopToolbar, usePermissions } from 'react-admin';
import { Link } from 'react-router-dom';

const NewProcessButton = () => {
  const { permissions } = usePermissions<string[]>();
  if (!permissions?.includes('processes:publish')) return null;
  return (
    <Button component={Link} to="/processes/new/design" label="processes.new">
      <AddIcon />
    </Button>
  );
};

export const ProcessList = () => (
  <List
    sort={{ field: 'process_key', order: 'ASC' }}
    filters={[<SearchInput key="q" source="q" alwaysOn />]}
    actions={
      <TopToolbar>
        <NewProcessButton />
      </TopToolbar>
    }
    exporter={false}
  >
    <DataTable rowClick="show" bulkActionButtons={false}>
      <DataTable.Col source="process_key" />
      <DataTable.Col source="name" />
      <DataTable.Col source="current_version" />
      <DataTable.Col source="latest_version" disableSort />
      <DataTable.Col source="coding_rule" disableSort />
      <DataTable.Col source="updated_at">
        <DateField source="updated_at" showTime />
      </DataTable.Col>
    </DataTable>
  </List>
);
