import AllInboxIcon from '@mui/icons-material/AllInbox';
import AssignmentIndIcon from '@mui/icons-material/AssignmentInd';
import AssignmentTurnedInIcon from '@mui/icons-material/AssignmentTurnedIn';
import MarkEmailUnreadIcon from '@mui/icons-material/MarkEmailUnread';
import OutboxIcon from '@mui/icons-material/Outbox';
import PanToolIcon from '@mui/icons-material/PanTool';
import { Badge } from '@mui/material';
import NoteAddIcon from '@mui/icons-material/NoteAdd';
import RouterIcon from '@mui/icons-material/Router';
import { Menu, useGetList, usePermissions, useTranslate } from 'react-admin';
import { ALL_BOXES, BOX_PERMISSION, type InboxBox } from './boxes';

const ICONS: Record<InboxBox, typeof AllInboxIcon> = {
  todo: AllInboxIcon,
  claimable: PanToolIcon,
  done: AssignmentTurnedInIcon,
  unassigned: AssignmentIndIcon,
  started: OutboxIcon,
  copied: MarkEmailUnreadIcon,
};

/**
 * How many items a box holds: the total of a one-row page (Content-Range), refreshed every minute.
 * Past the server's count bound the total is unknown; the badge then reads "999+".
 */
function useBoxCount(box: InboxBox): number | null {
  const { total, pageInfo } = useGetList(`inbox/${box}`, { pagination: { page: 1, perPage: 1 } }, { refetchInterval: 60_000 });
  return total ?? (pageInfo?.hasNextPage ? 1000 : null);
}

const BoxItem = ({ box }: { box: InboxBox }) => {
  const translate = useTranslate();
  const count = useBoxCount(box);
  const Icon = ICONS[box];
  const showCount = box === 'todo' || box === 'claimable' || box === 'copied' || box === 'unassigned';
  return (
    <Menu.Item
      to={`/inbox/${box}`}
      primaryText={translate(`inbox.${box}`)}
      data-testid={`inbox-${box}`}
      leftIcon={
        showCount && count ? (
          <Badge badgeContent={count} color={box === 'todo' ? 'error' : 'primary'} max={999}>
            <Icon />
          </Badge>
        ) : (
          <Icon />
        )
      }
    />
  );
};

const StartItem = () => {
  const { permissions } = usePermissions<string[]>();
  const translate = useTranslate();
  if (!permissions?.includes('cases:start')) return null;
  return <Menu.Item to="/cases/start" primaryText={translate('cases.start')} leftIcon={<NoteAddIcon />} data-testid="start-application" />;
};

const ModemsItem = () => {
  const { permissions } = usePermissions<string[]>();
  const translate = useTranslate();
  if (!permissions?.includes('sms:read')) return null;
  return <Menu.Item to="/sms/modems" primaryText={translate('sms.modems')} leftIcon={<RouterIcon />} />;
};

/** The boxes the role may open (a box with a permission of its own is hidden without it). */
const BoxItems = () => {
  const { permissions } = usePermissions<string[]>();
  return (
    <>
      {ALL_BOXES.filter((box) => !BOX_PERMISSION[box] || permissions?.includes(BOX_PERMISSION[box])).map((box) => (
        <BoxItem key={box} box={box} />
      ))}
    </>
  );
};

/** The sidebar: the dashboard, the inbox boxes with counts, then every resource the role may see. */
export const AppMenu = () => (
  <Menu>
    <Menu.DashboardItem />
    <StartItem />
    <BoxItems />
    <Menu.ResourceItems />
    <ModemsItem />
  </Menu>
);
