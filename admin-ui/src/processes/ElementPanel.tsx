import { Autocomplete, Box, Button, Chip, Stack, TextField, Typography } from '@mui/material';
import type { RefObject } from 'react';
import { useTranslate } from 'react-admin';
import { can, isRole } from '../../../lib/roles';
import type { BpmnEditorHandle, SelectedElement } from '../bpmn/BpmnEditor';
import { ROLE_CHOICES } from '../choices';
import { UserPicker } from '../tasks/UserPicker';

/**
 * The designer's pickers, above the zeebe properties panel, bound to the selected element: for
 * the process, the roles that may start it (process property `starterRoles`, which the start
 * page and POST /api/cases read); for a user task, its candidate groups (platform roles) and its
 * assignee (a user found by name) in zeebe:assignmentDefinition. They write the same attributes
 * the properties panel shows as text, through the editor's modeling commands, so both stay in
 * step and undo works; the roles are lib/roles.ts's, named by the UI's roles.* messages.
 */
// Only roles that may start cases at all are offered as starters (the administrators of accounts and the log may not).
const STARTER_CHOICES = ROLE_CHOICES.filter((c) => can(c.id, 'cases:start'));

function RolePicker({ label, value, choices, onChange, testId }: { label: string; value: string[]; choices: Array<{ id: string; name: string }>; onChange: (roles: string[]) => void; testId: string }) {
  const translate = useTranslate();
  // A role the XML names that the list does not offer is still shown, so saving never drops it silently.
  const ids = [...choices.map((c) => c.id), ...value.filter((v) => !choices.some((c) => c.id === v))];
  const labelOf = (id: string) => (isRole(id) ? translate(`roles.${id}`) : id);
  return (
    <Autocomplete
      multiple
      size="small"
      options={ids}
      value={value}
      getOptionLabel={labelOf}
      onChange={(_, roles) => onChange(roles)}
      renderValue={(roles, getItemProps) => roles.map((id, index) => <Chip size="small" label={labelOf(id)} {...getItemProps({ index })} key={id} color={isRole(id) ? 'default' : 'error'} />)}
      renderInput={(params) => <TextField {...params} label={label} />}
      data-testid={testId}
    />
  );
}

export function ElementPanel({ editor, selected, readOnly }: { editor: RefObject<BpmnEditorHandle | null>; selected: SelectedElement | null; readOnly: boolean }) {
  const translate = useTranslate();
  const handle = editor.current;
  if (!handle || !selected) return null;
  let body;
  if (selected.isProcess) {
    const starters = (handle.processProperty('starterRoles') ?? '')
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean);
    body = (
      <>
        <RolePicker label={translate('processes.starter_roles')} value={starters} choices={STARTER_CHOICES} onChange={(roles) => !readOnly && handle.setProcessProperty('starterRoles', roles.join(','))} testId="starter-roles" />
        <Typography variant="caption" color="text.secondary">
          {translate('processes.starter_roles_hint')}
        </Typography>
      </>
    );
  } else if (selected.type === 'bpmn:UserTask') {
    const assignment = handle.assignmentOf(selected.id);
    body = (
      <>
        <RolePicker
          label={translate('processes.candidate_groups')}
          value={assignment.candidateGroups}
          choices={ROLE_CHOICES}
          onChange={(roles) => !readOnly && handle.setAssignment(selected.id, { candidateGroups: roles })}
          testId="candidate-groups"
        />
        <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }} data-testid="assignee">
          <Typography variant="body2">
            {translate('processes.assignee')}：{assignment.assignee ?? translate('processes.assignee_none')}
          </Typography>
          {assignment.assignee && !readOnly && (
            <Button size="small" onClick={() => handle.setAssignment(selected.id, { assignee: null })}>
              {translate('processes.clear')}
            </Button>
          )}
        </Stack>
        {!readOnly && (
          <Box sx={{ '& .MuiAutocomplete-root': { minWidth: 0 } }}>
            <UserPicker label={translate('processes.pick_assignee')} onChange={(users) => users[0] && handle.setAssignment(selected.id, { assignee: users[0].username })} />
          </Box>
        )}
      </>
    );
  } else {
    body = (
      <Typography variant="caption" color="text.secondary">
        {translate('processes.element_hint')}
      </Typography>
    );
  }
  return (
    <Stack spacing={1.5} sx={{ p: 1.5, borderBottom: '1px solid rgba(0, 0, 0, 0.12)' }} data-testid="element-panel">
      <Typography variant="subtitle2">{selected.isProcess ? translate('processes.panel_process', { name: selected.name || selected.id }) : `${selected.name || selected.id}`}</Typography>
      {body}
    </Stack>
  );
}
