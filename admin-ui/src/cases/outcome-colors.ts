/** The colours of a case's status and result, shared by the admin lists and the public lookup (which loads nothing of react-admin). */
export type ChipColor = 'default' | 'primary' | 'success' | 'warning' | 'error';

const STATUS_COLOR: Record<string, ChipColor> = { running: 'primary', supplement: 'warning', completed: 'success', withdrawn: 'default', terminated: 'error', incident: 'error' };
const RESULT_COLOR: Record<string, ChipColor> = { approved: 'success', rejected: 'error', withdrawn: 'default', terminated: 'warning', awarded: 'success', failed: 'warning', upheld: 'success', confirmed: 'error', invalid: 'default' };

export const statusColor = (status: string): ChipColor => STATUS_COLOR[status] ?? 'default';
export const resultColor = (result: string): ChipColor => RESULT_COLOR[result] ?? 'default';
