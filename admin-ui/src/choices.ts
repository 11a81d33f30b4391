/** Option lists for selects; labels are translation keys so they follow the chosen language. */
export const ROLE_CHOICES = ['sysadmin', 'city_staff', 'city_leader', 'admin_centre', 'district_staff', 'street_office', 'enterprise', 'project_manager', 'developer', 'owners_committee', 'public', 'expert'].map((id) => ({
  id,
  name: `roles.${id}`,
}));

export const ORG_KIND_CHOICES = ['city_bureau', 'admin_centre', 'district_bureau', 'street_office', 'enterprise', 'developer', 'owners_committee', 'public'].map((id) => ({ id, name: `org_kinds.${id}` }));

export const RESULT_CHOICES = ['ok', 'denied', 'failed'].map((id) => ({ id, name: `results.${id}` }));
