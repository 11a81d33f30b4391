/** The platform's own interface messages in English; same keys as app-zh-CN.ts. */
const appEnglishMessages: typeof import('./app-zh-CN').default = {
  app: {
    title: 'Property Supervision Platform',
    language: 'Language',
    welcome: 'Hello, %{name}',
    organisation: 'Organisation',
    role: 'Role',
    scope: 'Data scope',
    scope_kind: { city: 'Whole city', district: 'Own district', street: 'Own street', organisation: 'Own organisation', none: 'None' },
    change_password: 'Change password',
    current_password: 'Current password',
    new_password: 'New password',
    confirm_password: 'Confirm new password',
    password_mismatch: 'The new passwords do not match',
    password_changed: 'Password changed; sessions on other devices were signed out',
    account_locked: 'Too many failed sign-ins; the account is locked for a while',
    invalid_credentials: 'Wrong username or password',
    unlock: 'Unlock',
    unlocked: 'Account unlocked',
    locked: 'Locked',
    permissions: 'Permissions',
  },
  roles: {
    sysadmin: 'System administrator',
    city_staff: 'City bureau staff',
    city_leader: 'City bureau leader',
    admin_centre: 'Administrative centre',
    district_staff: 'District bureau staff',
    street_office: 'Street office',
    enterprise: 'Property enterprise',
    project_manager: 'Project manager',
    developer: 'Developer',
    owners_committee: "Owners' committee",
    public: 'Owner / public',
  },
  org_kinds: {
    city_bureau: 'City housing bureau',
    admin_centre: 'Administrative centre',
    district_bureau: 'District housing bureau',
    street_office: 'Street office / town',
    enterprise: 'Property enterprise',
    developer: 'Developer',
    owners_committee: "Owners' committee",
    public: 'Public',
  },
  results: { ok: 'OK', denied: 'Denied', failed: 'Failed' },
  resources: {
    users: {
      name: 'User |||| Users',
      fields: {
        id: 'ID', username: 'Username', display_name: 'Name', phone: 'Mobile', role: 'Role', organisation_id: 'Organisation',
        organisation_name: 'Organisation', active: 'Active', locked_until: 'Locked until', last_login_at: 'Last sign-in', created_at: 'Created',
        password: 'Initial password', q: 'Search',
      },
    },
    organisations: {
      name: 'Organisation |||| Organisations',
      fields: {
        id: 'ID', code: 'Code', name: 'Name', kind: 'Kind', district_code: 'District', street_code: 'Street',
        phone: 'Phone', address: 'Address', active: 'Active', created_at: 'Created', q: 'Search',
      },
    },
    'operation-logs': {
      name: 'Operation log |||| Operation log',
      fields: {
        id: 'ID', at: 'Time', username: 'User', role: 'Role', ip: 'Address', method: 'Method', path: 'Path', action: 'Action',
        target_type: 'Target type', target_id: 'Target ID', result: 'Result', status: 'Status', request_id: 'Request ID', detail: 'Detail',
      },
    },
  },
};

export default appEnglishMessages;
