import ApartmentIcon from '@mui/icons-material/Apartment';
import BadgeIcon from '@mui/icons-material/Badge';
import BusinessCenterIcon from '@mui/icons-material/BusinessCenter';
import GroupsIcon from '@mui/icons-material/Groups';
import ReportProblemIcon from '@mui/icons-material/ReportProblem';
import StarHalfIcon from '@mui/icons-material/StarHalf';
import { Resource } from 'react-admin';
import { CommitteeCreate, CommitteeEdit, CommitteeList, CommitteeShow } from '../committees';
import { CreditEventCreate, CreditEventEdit, CreditEventList, CreditEventShow } from '../credit-events';
import { EnterpriseCreate, EnterpriseEdit, EnterpriseList, EnterpriseShow } from '../enterprises';
import { ProjectCreate, ProjectEdit, ProjectList, ProjectShow } from '../projects';
import { StaffCreate, StaffDuplicateList, StaffEdit, StaffList, StaffShow } from '../staff';

/**
 * The registries' menu entries, shaped by permissions: reading needs registries:read; editing
 * registries:write (credit events credit:write); the double-registration query is for reviewers.
 * Which records a role then reaches and may change is the API's decision (scope and write rules).
 */
export function registryResources(permissions: string[]) {
  if (!permissions.includes('registries:read')) return null;
  const write = permissions.includes('registries:write');
  const bureau = write && permissions.includes('registries:review');
  const credit = permissions.includes('credit:write');
  return (
    <>
      <Resource name="projects" icon={ApartmentIcon} list={ProjectList} show={ProjectShow} edit={write ? ProjectEdit : undefined} create={bureau ? ProjectCreate : undefined} recordRepresentation="name" />
      <Resource name="enterprises" icon={BusinessCenterIcon} list={EnterpriseList} show={EnterpriseShow} edit={write ? EnterpriseEdit : undefined} create={bureau ? EnterpriseCreate : undefined} recordRepresentation="name" />
      <Resource name="staff" icon={BadgeIcon} list={StaffList} show={StaffShow} edit={write ? StaffEdit : undefined} create={write ? StaffCreate : undefined} recordRepresentation="name" />
      <Resource name="committees" icon={GroupsIcon} list={CommitteeList} show={CommitteeShow} edit={write ? CommitteeEdit : undefined} create={bureau ? CommitteeCreate : undefined} recordRepresentation="name" />
      <Resource name="credit-events" icon={StarHalfIcon} list={CreditEventList} show={CreditEventShow} edit={credit ? CreditEventEdit : undefined} create={credit ? CreditEventCreate : undefined} recordRepresentation="description" />
      {permissions.includes('registries:review') && <Resource name="staff-duplicates" icon={ReportProblemIcon} list={StaffDuplicateList} />}
      <Resource name="trainings" />
      <Resource name="registry-changes" />
    </>
  );
}
