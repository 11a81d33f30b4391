import type registriesZh from './messages-zh-CN';

type RegistryMessages = typeof registriesZh;

/**
 * The `resources` entries react-admin looks labels up in (`resources.projects.fields.name`),
 * built from the registries' own message file so the shared i18n files need only one line each.
 */
export function registryResources(m: RegistryMessages): Record<string, { name: string; fields: Record<string, string> }> {
  const names = m.names as Record<string, string>;
  const fields = m.fields as unknown as Record<string, Record<string, string>>;
  return Object.fromEntries(Object.keys(names).map((resource) => [resource, { name: `${names[resource]} |||| ${names[resource]}`, fields: { ...fields.common, ...(fields[resource] ?? {}) } }]));
}
