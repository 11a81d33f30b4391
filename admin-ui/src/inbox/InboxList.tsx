import { Chip } from '@mui/material';
import { BooleanInput, DataTable, List, SearchInput, useRecordContext, useTranslate, type RaRecord } from 'react-admin';
import { Navigate, useParams } from 'react-router-dom';
import { LedgerActions, caseFilters } from '../cases/CaseList';
import { CaseStateField } from '../cases/outcome';
import { DayInput, ProcessPicker } from '../lists/pickers';
import { RegionInput } from '../registries/components';
import { spanInWords } from '../duration';
import { DateTimeField } from '../fields';
import { ALL_BOXES, isTaskBox, type InboxBox } from './boxes';
import { EmptyBox, type EmptyKind } from './EmptyBox';

const DueField = () => {
  const record = useRecordContext<{ due_at: string | null; overdue: boolean }>();
  const translate = useTranslate();
  if (!record?.due_at) return <>—</>;
  return (
    <>
      <DateTimeField source="due_at" />
      {record.overdue && <Chip size="small" color="error" label={translate('inbox.overdue')} sx={{ ml: 1 }} data-testid="overdue-chip" />}
    </>
  );
};

/** 已办: the decision the viewer took (the outcome's label; 已办理 for a step without outcomes). */
const MyDecisionField = () => {
  const record = useRecordContext<{ outcome: string | null }>();
  const translate = useTranslate();
  if (!record) return null;
  return <span data-testid="my-decision">{record.outcome ? translate(`outcomes.${record.outcome}`, { _: record.outcome }) : translate('tasks.decided')}</span>;
};

/** 耗时: from the step's arrival to its completion, in days, hours and minutes. */
const TimeTakenField = () => {
  const record = useRecordContext<{ created_at: string; completed_at: string | null }>();
  const translate = useTranslate();
  if (!record?.completed_at) return <>—</>;
  return <span data-testid="time-taken">{spanInWords(new Date(record.completed_at).getTime() - new Date(record.created_at).getTime(), translate)}</span>;
};

const taskFilters = [
  <SearchInput key="q" source="q" alwaysOn />,
  <BooleanInput key="overdue" source="overdue" label="inbox.only_overdue" />,
  <ProcessPicker key="process_key" source="process_key" label="lists.process" />,
  <RegionInput key="district_code" level="district" source="district_code" label="lists.district" />,
  <DayInput key="arrived_from" source="arrived_from" label="lists.arrived_from" />,
  <DayInput key="arrived_to" source="arrived_to" label="lists.arrived_to" />,
];

/** One inbox box as a react-admin list over /api/inbox/<box> (sorted and paged in MySQL). */
export const InboxList = () => {
  const { box } = useParams<{ box: string }>();
  const translate = useTranslate();
  if (!box || !ALL_BOXES.includes(box as InboxBox)) return <Navigate to="/inbox/todo" replace />;
  const resource = `inbox/${box}`;
  if (isTaskBox(box)) {
    return (
      <List
        key={box}
        resource={resource}
        title={translate(`inbox.${box}`)}
        filters={taskFilters}
        sort={{ field: box === 'done' ? 'completed_at' : 'created_at', order: 'DESC' }}
        exporter={false}
        actions={<LedgerActions />}
        storeKey={resource}
        empty={<EmptyBox kind={box} />}
      >
        <DataTable rowClick={(_id: unknown, _r: string, record: RaRecord) => `/tasks/${record.id}`} bulkActionButtons={false} empty={<EmptyBox kind={box} />}>
          <DataTable.Col source="case_number" label="resources.cases.fields.number" />
          <DataTable.Col source="case_title" label="resources.cases.fields.title" disableSort />
          <DataTable.Col source="name" label="inbox.step" disableSort />
          <DataTable.Col source="assignee_name" label="cases.holder" disableSort />
          <DataTable.Col source="due_at" label="cases.due_at">
            <DueField />
          </DataTable.Col>
          <DataTable.Col source={box === 'done' ? 'completed_at' : 'created_at'} label={box === 'done' ? 'inbox.completed_at' : 'inbox.created_at'}>
            <DateTimeField source={box === 'done' ? 'completed_at' : 'created_at'} />
          </DataTable.Col>
          {box === 'done' && (
            <DataTable.Col source="outcome" label="inbox.my_decision" disableSort>
              <MyDecisionField />
            </DataTable.Col>
          )}
          {box === 'done' && (
            <DataTable.Col source="time_taken" label="inbox.time_taken" disableSort>
              <TimeTakenField />
            </DataTable.Col>
          )}
          {box === 'done' && (
            <DataTable.Col source="case_status" label="inbox.case_state" disableSort>
              <CaseStateField prefix="case_" />
            </DataTable.Col>
          )}
        </DataTable>
      </List>
    );
  }
  return (
    <List
      key={box}
      resource={resource}
      title={translate(`inbox.${box}`)}
      filters={caseFilters()}
      actions={<LedgerActions />}
      sort={{ field: 'started_at', order: 'DESC' }}
      exporter={false}
      storeKey={resource}
      empty={<EmptyBox kind={box as EmptyKind} />}
    >
      <DataTable rowClick={(_id: unknown, _r: string, record: RaRecord) => `/cases/${record.id}/show`} bulkActionButtons={false} empty={<EmptyBox kind={box as EmptyKind} />}>
        <DataTable.Col source="number" label="resources.cases.fields.number" />
        <DataTable.Col source="title" label="resources.cases.fields.title" disableSort />
        <DataTable.Col source="status" label="resources.cases.fields.status" disableSort>
          <CaseStateField />
        </DataTable.Col>
        <DataTable.Col source="current_steps" label="cases.current_step" disableSort />
        <DataTable.Col source="started_at" label="cases.started_at">
          <DateTimeField source="started_at" />
        </DataTable.Col>
      </DataTable>
    </List>
  );
};
