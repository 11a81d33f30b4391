export { IncidentList } from './IncidentList';
export { MoveDialog, ReasonDialog } from './dialogs';
