import type { InboxBox } from '../inbox/boxes';

/**
 * The sidebar as a bureau's system groups it (办事大厅 / 审批办理 / 基础数据 / 信用管理 / 监管 /
 * 短信平台 / 系统管理). An entry is an inbox box, a react-admin resource (shown when the role's
 * permissions registered it, App.tsx), or a page of its own with the permission it needs. A group
 * none of whose entries the role may reach is not shown at all.
 */
export type MenuEntry = { box: InboxBox } | { resource: string } | { path: string; label: string; permission: string; icon: 'start' | 'modems' };

export interface MenuGroup {
  key: 'hall' | 'approvals' | 'registries' | 'credit' | 'supervision' | 'sms' | 'system';
  entries: MenuEntry[];
}

export const MENU_GROUPS: MenuGroup[] = [
  { key: 'hall', entries: [{ path: '/cases/start', label: 'cases.start', permission: 'cases:start', icon: 'start' }, { box: 'started' }, { box: 'copied' }, { resource: 'tenders' }] },
  { key: 'approvals', entries: [{ box: 'todo' }, { box: 'claimable' }, { box: 'done' }, { box: 'unassigned' }, { resource: 'cases' }, { resource: 'incidents' }] },
  { key: 'registries', entries: [{ resource: 'projects' }, { resource: 'enterprises' }, { resource: 'staff' }, { resource: 'committees' }, { resource: 'staff-duplicates' }] },
  { key: 'credit', entries: [{ resource: 'credit/records' }, { resource: 'credit-events' }, { resource: 'credit/rankings' }, { resource: 'credit/lists' }, { resource: 'credit/standards' }, { resource: 'credit/mine' }] },
  { key: 'supervision', entries: [] },
  { key: 'sms', entries: [{ resource: 'sms/notices' }, { resource: 'sms/messages' }, { resource: 'sms/categories' }, { path: '/sms/modems', label: 'sms.modems', permission: 'sms:read', icon: 'modems' }] },
  { key: 'system', entries: [{ resource: 'organisations' }, { resource: 'users' }, { resource: 'processes' }, { resource: 'operation-logs' }] },
];
