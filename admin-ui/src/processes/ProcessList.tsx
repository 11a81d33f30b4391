import AddIcon from '@mui/icons-material/Add';
import { Button, DataTable, List, SearchInput, SelectInput, TopToolbar, usePermissions } from 'react-admin';
import { Link } from 'react-router-dom';
import { CategoryField, STATUS_CHOICES, StatusField, useCategoryChoices } from './lifecycle';
import { DateTimeField } from '../fields';

const NewProcessButton = () => {
  const { permissions } = usePermissions<string[]>();
  if (!permissions?.includes('processes:publish')) return null;
  return (
    <Button component={Link} to="/processes/new/design" label="processes.new">
      <AddIcon />
    </Button>
  );
};

/** Every process with its lifecycle status and category, filterable by both. */
export const ProcessList = () => {
  const categories = useCategoryChoices();
  return (
    <List
      sort={{ field: 'process_key', order: 'ASC' }}
      filters={[
        <SearchInput key="q" source="q" alwaysOn />,
        <SelectInput key="status" source="status" choices={STATUS_CHOICES} alwaysOn />,
        <SelectInput key="category" source="category" choices={categories} translateChoice={false} alwaysOn />,
      ]}
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
        <DataTable.Col source="status" disableSort>
          <StatusField />
        </DataTable.Col>
        <DataTable.Col source="category" disableSort>
          <CategoryField />
        </DataTable.Col>
        <DataTable.Col source="current_version" />
        <DataTable.Col source="latest_version" disableSort />
        <DataTable.Col source="coding_rule" disableSort />
        <DataTable.Col source="updated_at">
          <DateTimeField source="updated_at" />
        </DataTable.Col>
      </DataTable>
    </List>
  );
};
