/**
 * A process's lifecycle (docs/process-engine.md, "Process lifecycle"), shared by the API and the
 * admin UI so both check against one list. Only an `enabled` process is offered to applicants and
 * may be started; a new process is a `draft` until a system administrator enables it, and
 * `disabled` takes one out of use without touching its versions or running cases.
 */
export const PROCESS_STATUSES = ['draft', 'enabled', 'disabled'] as const;
export type ProcessStatus = (typeof PROCESS_STATUSES)[number];

export const isProcessStatus = (value: unknown): value is ProcessStatus => (PROCESS_STATUSES as readonly unknown[]).includes(value);

/**
 * The kinds of approval a process belongs to, stored by id. The Chinese label is what the bureau
 * calls the kind (the list and the start page group by it); the English one is for the English UI.
 */
export const PROCESS_CATEGORIES = [
  { id: 'filing', zh: '备案类', en: 'Filing' },
  { id: 'qualification', zh: '资质类', en: 'Qualification' },
  { id: 'supervision', zh: '监管类', en: 'Supervision' },
  { id: 'credit', zh: '信用类', en: 'Credit' },
  { id: 'other', zh: '其他', en: 'Other' },
] as const;
export type ProcessCategory = (typeof PROCESS_CATEGORIES)[number]['id'];

export const PROCESS_CATEGORY_IDS = PROCESS_CATEGORIES.map((c) => c.id) as [ProcessCategory, ...ProcessCategory[]];

export const isProcessCategory = (value: unknown): value is ProcessCategory => (PROCESS_CATEGORY_IDS as readonly unknown[]).includes(value);

/** The label of a category in the interface's language (Chinese unless English is chosen). */
export function processCategoryLabel(id: string | null | undefined, locale = 'zh-CN'): string {
  const category = PROCESS_CATEGORIES.find((c) => c.id === id);
  if (!category) return id ?? '';
  return locale.startsWith('en') ? category.en : category.zh;
}
