import BusinessIcon from '@mui/icons-material/Business';
import HistoryIcon from '@mui/icons-material/History';
import PeopleIcon from '@mui/icons-material/People';
import { Route } from 'react-router-dom';
import { Admin, CustomRoutes, Resource } from 'react-admin';
import AccountTreeIcon from '@mui/icons-material/AccountTree';
import { authProvider } from './authProvider';
import { Dashboard } from './Dashboard';
import { dataProvider } from './dataProvider';
import { i18nProvider } from './i18n';
import { Layout } from './layout/Layout';
import { LoginPage } from './layout/LoginPage';
import { ProcessList } from './processes/ProcessList';
import { lazyPage } from './lazyPage';
import FolderIcon from '@mui/icons-material/Folder';
import { CaseList } from './cases/CaseList';
import { InboxList } from './inbox/InboxList';
import ReportProblemIcon from '@mui/icons-material/ReportProblem';
import GavelIcon from '@mui/icons-material/Gavel';
import SmsIcon from '@mui/icons-material/Sms';
import { registryResources } from './registries/resources';
import EditNoteIcon from '@mui/icons-material/EditNote';
import LeaderboardIcon from '@mui/icons-material/Leaderboard';
import RuleIcon from '@mui/icons-material/Rule';
import ThumbsUpDownIcon from '@mui/icons-material/ThumbsUpDown';
import VerifiedUserIcon from '@mui/icons-material/VerifiedUser';

// The pages that draw diagrams or render Camunda forms load on first use (lazyPage.tsx).
const ProcessShow = lazyPage(() => import('./processes/ProcessShow').then((m) => m.ProcessShow));
const ProcessDesigner = lazyPage(() => import('./processes/ProcessDesigner').then((m) => m.ProcessDesigner));
const CaseShow = lazyPage(() => import('./cases/CaseShow').then((m) => m.CaseShow));
const StartCase = lazyPage(() => import('./cases/StartCase').then((m) => m.StartCase));
const TaskPage = lazyPage(() => import('./tasks/TaskPage').then((m) => m.TaskPage));
// The password strength check carries zxcvbn's dictionaries; enrolment carries the QR code.
const ChangePassword = lazyPage(() => import('./account/ChangePassword').then((m) => m.ChangePassword));
const SecondFactor = lazyPage(() => import('./account/SecondFactor').then((m) => m.SecondFactor));

// Pages off the everyday path (administration, SMS, tenders) load on first use too.
const operationLogsModule = () => import('./operation-logs');
const OperationLogList = lazyPage(() => operationLogsModule().then((m) => m.OperationLogList));
const incidentsModule = () => import('./incidents');
const IncidentList = lazyPage(() => incidentsModule().then((m) => m.IncidentList));
const tendersModule = () => import('./tenders');
const TenderList = lazyPage(() => tendersModule().then((m) => m.TenderList));
const TenderShow = lazyPage(() => tendersModule().then((m) => m.TenderShow));
const smsModule = () => import('./sms');
const MySubscriptions = lazyPage(() => smsModule().then((m) => m.MySubscriptions));
const SmsCategoryCreate = lazyPage(() => smsModule().then((m) => m.SmsCategoryCreate));
const SmsCategoryEdit = lazyPage(() => smsModule().then((m) => m.SmsCategoryEdit));
const SmsCategoryList = lazyPage(() => smsModule().then((m) => m.SmsCategoryList));
const SmsMessageList = lazyPage(() => smsModule().then((m) => m.SmsMessageList));
const SmsModems = lazyPage(() => smsModule().then((m) => m.SmsModems));
const SmsNoticeCreate = lazyPage(() => smsModule().then((m) => m.SmsNoticeCreate));
const SmsNoticeList = lazyPage(() => smsModule().then((m) => m.SmsNoticeList));
const organisationsModule = () => import('./organisations');
const OrganisationCreate = lazyPage(() => organisationsModule().then((m) => m.OrganisationCreate));
const OrganisationEdit = lazyPage(() => organisationsModule().then((m) => m.OrganisationEdit));
const OrganisationList = lazyPage(() => organisationsModule().then((m) => m.OrganisationList));
// The credit screens; their charts bring ECharts along only when one is drawn (credit/Chart.tsx).
const creditModule = () => import('./credit');
const CreditRecordEntry = lazyPage(() => creditModule().then((m) => m.CreditRecordEntry));
const CreditRankings = lazyPage(() => creditModule().then((m) => m.CreditRankings));
const CreditLists = lazyPage(() => creditModule().then((m) => m.CreditLists));
const CreditStandardList = lazyPage(() => creditModule().then((m) => m.CreditStandardList));
const CreditStandardShow = lazyPage(() => creditModule().then((m) => m.CreditStandardShow));
const CreditStandardEdit = lazyPage(() => creditModule().then((m) => m.CreditStandardEdit));
const EnterpriseCreditPage = lazyPage(() => creditModule().then((m) => m.EnterpriseCreditPage));
const MyCredit = lazyPage(() => creditModule().then((m) => m.MyCredit));
const usersModule = () => import('./users');
const UserCreate = lazyPage(() => usersModule().then((m) => m.UserCreate));
const UserEdit = lazyPage(() => usersModule().then((m) => m.UserEdit));
const UserList = lazyPage(() => usersModule().then((m) => m.UserList));

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
        {permissions.includes('credit:write') && <Resource name="credit/records" icon={EditNoteIcon} list={CreditRecordEntry} />}
        {permissions.includes('credit:read') && <Resource name="credit/rankings" icon={LeaderboardIcon} list={CreditRankings} />}
        {permissions.includes('credit:read') && <Resource name="credit/lists" icon={ThumbsUpDownIcon} list={CreditLists} />}
        {(permissions.includes('credit:read') || permissions.includes('credit:standards')) && (
          <Resource name="credit/standards" icon={RuleIcon} list={CreditStandardList} show={CreditStandardShow} edit={permissions.includes('credit:standards') ? CreditStandardEdit : undefined} />
        )}
        {/* 我的信用: an organisation that keeps its own registry data but is not the bureau (an enterprise; the page tells any other it has no score). */}
        {permissions.includes('registries:write') && !permissions.includes('registries:review') && <Resource name="credit/mine" icon={VerifiedUserIcon} list={MyCredit} />}
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
          <Route path="/credit/enterprises/:id" element={<EnterpriseCreditPage />} />
        </CustomRoutes>
      </>
    )}
  </Admin>
);
