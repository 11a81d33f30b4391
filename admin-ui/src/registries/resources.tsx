import ApartmentIcon from '@mui/icons-material/Apartment';
import BadgeIcon from '@mui/icons-material/Badge';
import BusinessCenterIcon from '@mui/icons-material/BusinessCenter';
import GroupsIcon from '@mui/icons-material/Groups';
import ReportProblemIcon from '@mui/icons-material/ReportProblem';
import StarHalfIcon from '@mui/icons-material/StarHalf';
import { Resource } from 'react-admin';
import { lazyPage } from '../lazyPage';

// Each registry's pages load when first opened (lazyPage.tsx).
const committeesModule = () => import('../committees');
const CommitteeCreate = lazyPage(() => committeesModule().then((m) => m.CommitteeCreate));
const CommitteeEdit = lazyPage(() => committeesModule().then((m) => m.CommitteeEdit));
const CommitteeList = lazyPage(() => committeesModule().then((m) => m.CommitteeList));
const CommitteeShow = lazyPage(() => committeesModule().then((m) => m.CommitteeShow));
const creditEventsModule = () => import('../credit-events');
const CreditEventCreate = lazyPage(() => creditEventsModule().then((m) => m.CreditEventCreate));
const CreditEventEdit = lazyPage(() => creditEventsModule().then((m) => m.CreditEventEdit));
const CreditEventList = lazyPage(() => creditEventsModule().then((m) => m.CreditEventList));
const CreditEventShow = lazyPage(() => creditEventsModule().then((m) => m.CreditEventShow));
const enterprisesModule = () => import('../enterprises');
const EnterpriseCreate = lazyPage(() => enterprisesModule().then((m) => m.EnterpriseCreate));
const EnterpriseEdit = lazyPage(() => enterprisesModule().then((m) => m.EnterpriseEdit));
const EnterpriseList = lazyPage(() => enterprisesModule().then((m) => m.EnterpriseList));
const EnterpriseShow = lazyPage(() => enterprisesModule().then((m) => m.EnterpriseShow));
const projectsModule = () => import('../projects');
const ProjectCreate = lazyPage(() => projectsModule().then((m) => m.ProjectCreate));
const ProjectEdit = lazyPage(() => projectsModule().then((m) => m.ProjectEdit));
const ProjectList = lazyPage(() => projectsModule().then((m) => m.ProjectList));
const ProjectShow = lazyPage(() => projectsModule().then((m) => m.ProjectShow));
const staffModule = () => import('../staff');
const StaffCreate = lazyPage(() => staffModule().then((m) => m.StaffCreate));
const StaffDuplicateList = lazyPage(() => staffModule().then((m) => m.StaffDuplicateList));
const StaffEdit = lazyPage(() => staffModule().then((m) => m.StaffEdit));
const StaffList = lazyPage(() => staffModule().then((m) => m.StaffList));
const StaffShow = lazyPage(() => staffModule().then((m) => m.StaffShow));

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
