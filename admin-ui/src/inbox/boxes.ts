/** The inbox boxes (E3, E4): four of tasks, two of cases. 待分配 (unassigned) is administrators' only. */
export const TASK_BOXES = ['todo', 'claimable', 'done', 'unassigned'] as const;
export const CASE_BOXES = ['started', 'copied'] as const;
export type InboxBox = (typeof TASK_BOXES)[number] | (typeof CASE_BOXES)[number];
export const ALL_BOXES: InboxBox[] = [...TASK_BOXES, ...CASE_BOXES];
export const isTaskBox = (box: string): box is (typeof TASK_BOXES)[number] => (TASK_BOXES as readonly string[]).includes(box);

/** The permission a box needs beyond signing in (the API checks the same one). */
export const BOX_PERMISSION: Partial<Record<InboxBox, string>> = { unassigned: 'cases:admin' };
