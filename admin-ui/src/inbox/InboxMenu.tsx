import AllInboxIcon from '@mui/icons-material/AllInbox';
import AssignmentIndIcon from '@mui/icons-material/AssignmentInd';
import AssignmentTurnedInIcon from '@mui/icons-material/AssignmentTurnedIn';
import MarkEmailUnreadIcon from '@mui/icons-material/MarkEmailUnread';
import OutboxIcon from '@mui/icons-material/Outbox';
import PanToolIcon from '@mui/icons-material/PanTool';
import ExpandLessIcon from '@mui/icons-material/ExpandLess';
import ExpandMoreIcon from '@mui/icons-material/ExpandMore';
import { Badge, Box, Collapse, ListItemButton, ListItemText } from '@mui/material';
import NoteAddIcon from '@mui/icons-material/NoteAdd';
import RouterIcon from '@mui/icons-material/Router';
import { Menu, usePermissions, useResourceDefinitions, useSidebarState, useStore, useTranslate } from 'react-admin';
import { MENU_GROUPS, type MenuEntry, type MenuGroup } from '../layout/menu-groups';
import { BOX_PERMISSION, type InboxBox } from './boxes';
import { useBoxCount } from './useBoxCount';

const ICONS: Record<InboxBox, typeof AllInboxIcon> = {
  todo: AllInboxIcon,
  claimable: PanToolIcon,
  done: AssignmentTurnedInIcon,
  unassigned: AssignmentIndIcon,
  started: OutboxIcon,
  copied: MarkEmailUnreadIcon,
};

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

const ENTRY_ICONS = { start: NoteAddIcon, modems: RouterIcon };
const GROUPED_RESOURCES = new Set(MENU_GROUPS.flatMap((g) => g.entries.flatMap((e) => ('resource' in e ? [e.resource] : []))));

/** One group of the sidebar: its title (click to fold it, remembered per user) and the entries the role may reach. */
const Group = ({ group, visible }: { group: MenuGroup; visible: MenuEntry[] }) => {
  const translate = useTranslate();
  const [folded, setFolded] = useStore<boolean>(`menu.folded.${group.key}`, false);
  const [open] = useSidebarState();
  return (
    <Box component="section" data-testid={`menu-group-${group.key}`}>
      {open && (
        <ListItemButton dense onClick={() => setFolded(!folded)} sx={{ pt: 1.5, pb: 0.5 }} aria-expanded={!folded}>
          <ListItemText primary={translate(`menu.${group.key}`)} slotProps={{ primary: { variant: 'caption', color: 'text.secondary', sx: { fontWeight: 600 } } }} />
          {folded ? <ExpandMoreIcon fontSize="small" /> : <ExpandLessIcon fontSize="small" />}
        </ListItemButton>
      )}
      <Collapse in={!folded || !open}>
        {visible.map((entry) => {
          if ('box' in entry) return <BoxItem key={entry.box} box={entry.box} />;
          if ('resource' in entry) return <Menu.ResourceItem key={entry.resource} name={entry.resource} />;
          const Icon = ENTRY_ICONS[entry.icon];
          return <Menu.Item key={entry.path} to={entry.path} primaryText={translate(entry.label)} leftIcon={<Icon />} data-testid={entry.icon === 'start' ? 'start-application' : undefined} />;
        })}
      </Collapse>
    </Box>
  );
};

/** The sidebar: the dashboard, then the groups of menu-groups.ts, each with what the role may reach. */
export const AppMenu = () => {
  const { permissions } = usePermissions<string[]>();
  const resources = useResourceDefinitions();
  const may = (entry: MenuEntry) => {
    if ('box' in entry) return !BOX_PERMISSION[entry.box] || Boolean(permissions?.includes(BOX_PERMISSION[entry.box]!));
    if ('resource' in entry) return Boolean(resources[entry.resource]?.hasList);
    return Boolean(permissions?.includes(entry.permission));
  };
  return (
    <Menu>
      <Menu.DashboardItem />
      {MENU_GROUPS.map((group) => {
        const visible = group.entries.filter(may);
        return visible.length ? <Group key={group.key} group={group} visible={visible} /> : null;
      })}
      {/* A resource no group names yet still has its entry, after the groups. */}
      {Object.values(resources)
        .filter((r) => r.hasList && !GROUPED_RESOURCES.has(r.name))
        .map((r) => (
          <Menu.ResourceItem key={r.name} name={r.name} />
        ))}
    </Menu>
  );
};
