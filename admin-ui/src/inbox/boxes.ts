/** The five inbox boxes (E3, E4): three of tasks, two of cases. */
export const TASK_BOXES = ['todo', 'claimable', 'done'] as const;
export const CASE_BOXES = ['started', 'copied'] as const;
export type InboxBox = (typeof TASK_BOXES)[number] | (typeof CASE_BOXES)[number];
export const ALL_BOXES: InboxBox[] = [...TASK_BOXES, ...CASE_BOXES];
export const isTaskBox = (box: string): box is (typeof TASK_BOXES)[number] => (TASK_BOXES as readonly string[]).includes(box);
