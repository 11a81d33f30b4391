import BusinessIcon from '@mui/icons-material/Business';
import HistoryIcon from '@mui/icons-material/History';
import PeopleIcon from '@mui/icons-material/People';
import { Route } from 'react-router-dom';
import { Admin, CustomRoutes, Resource } from 'react-admin';
import AccountTreeIcon from '@mui/icons-material/AccountTree';
import { ChangePassword } from './account/ChangePassword';
import { SecondFactor } from './account/SecondFactor';
import { authProvider } from './authProvider';
import { Dashboard } from './Dashboard';
import { dataProvider } from './dataProvider';
import { i18nProvider } from './i18n';
import { Layout } from './layout/Layout';
import { LoginPage } from './layout/LoginPage';
import { OperationLogList } from './operation-logs';
import { ProcessDesigner, ProcessList, ProcessShow } from './processes';
import FolderIcon from '@mui/icons-material/Folder';
import { CaseList, CaseShow } from './cases';
import { StartCase } from './cases/StartCase';
import { InboxList } from './inbox/InboxList';
import ReportProblemIcon from '@mui/icons-material/ReportProblem';
import { IncidentList } from './incidents';
import { TaskPage } from './tasks/TaskPage';
import GavelIcon from '@mui/icons-material/Gavel';
import { TenderList, TenderShow } from './tenders';
import SmsIcon from '@mui/icons-material/Sms';
import { MySubscriptions, SmsCategoryCreate, SmsCategoryEdit, SmsCategoryList, SmsMessageList, SmsModems, SmsNoticeCreate, SmsNoticeList } from './sms';
import { OrganisationCreate, OrganisationEdit, OrganisationList } from './organisations';
import { registryResources } from './registries/resources';
import { UserCreate, UserEdit, UserList } from './users';

/** The menu follows the signed-in user's permissions: a resource appears only for roles that may read it. */
export const App = () => (
  <Admin title="app.title" dataProvider={dataProvider} authProvider={authProvider} i18nProvider={i18nProvider} dashboard={Dashboard} layout={Layout} loginPage={LoginPage} requireAuth disableTelemetry>
    {(permissions: string[]) => (
      <>
        {permissions.includes('organisations:read') && (
          <Resource
            name="organisations"
            icon={BusinessIcon}
            list={OrganisationList}
            edit={permissions.includes('organisations:write') ? OrganisationEdit : undefined}
            create={permissions.includes('organisations:write') ? OrganisationCreate : undefined}
            recordRepresentation="name"
          />
        )}
        {permissions.includes('users:read') && (
          <Resource
            name="users"
            icon={PeopleIcon}
            list={UserList}
            edit={permissions.includes('users:write') ? UserEdit : undefined}
            create={permissions.includes('users:write') ? UserCreate : undefined}
            recordRepresentation="display_name"
          />
        )}
        {permissions.includes('processes:read') && (
          <Resource name="processes" icon={AccountTreeIcon} list={ProcessList} show={ProcessShow} recordRepresentation="name">
            <Route path=":key/design" element={<ProcessDesigner />} />
          </Resource>
        )}
        {registryResources(permissions)}
        {permissions.includes('oplog:read') && <Resource name="operation-logs" icon={HistoryIcon} list={OperationLogList} />}
        <Resource name="tenders" icon={GavelIcon} list={TenderList} show={TenderShow} recordRepresentation="title" />
        <Resource name="cases" icon={FolderIcon} list={CaseList} show={CaseShow} recordRepresentation="number">
          <Route path="start" element={<StartCase />} />
          <Route path="start/:key" element={<StartCase />} />
        </Resource>
        {permissions.includes('cases:admin') && <Resource name="incidents" icon={ReportProblemIcon} list={IncidentList} recordRepresentation="number" />}
        {permissions.includes('sms:read') && <Resource name="sms/messages" icon={SmsIcon} list={SmsMessageList} />}
        {permissions.includes('sms:send') && <Resource name="sms/notices" icon={SmsIcon} list={SmsNoticeList} create={SmsNoticeCreate} />}
        {permissions.includes('sms:manage') && <Resource name="sms/categories" icon={SmsIcon} list={SmsCategoryList} create={SmsCategoryCreate} edit={SmsCategoryEdit} recordRepresentation="name" />}
        <CustomRoutes>
          <Route path="/account/sms" element={<MySubscriptions />} />
          <Route path="/sms/modems" element={<SmsModems />} />
          <Route path="/account/password" element={<ChangePassword />} />
          <Route path="/account/second-factor" element={<SecondFactor />} />
          <Route path="/inbox/:box" element={<InboxList />} />
          <Route path="/tasks/:id" element={<TaskPage />} />
        </CustomRoutes>
      </>
    )}
  </Admin>
);
