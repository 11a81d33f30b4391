import { Chip } from '@mui/material';
import { useRecordContext, useTranslate } from 'react-admin';
import { resultColor, statusColor } from './outcome-colors';

export { resultColor, statusColor };

/**
 * How a case stands, in one chip for every list and the case header: a case still under way
 * shows its status (办理中, 待补正, 异常); a case that ended shows its result instead (准予 green,
 * 不予 red, 撤回 grey, 终止 orange), so an approved and a rejected case never both read 已办结.
 */
export const CaseStateChip = ({ status, result, testId }: { status: string; result?: string | null; testId?: string }) => {
  const translate = useTranslate();
  if (result) return <Chip size="small" color={resultColor(result)} label={translate(`case_result.${result}`, { _: result })} data-testid={testId ?? 'case-result-chip'} data-result={result} />;
  return <Chip size="small" color={statusColor(status)} label={translate(`case_status.${status}`, { _: status })} data-testid={testId ?? 'case-status-chip'} data-status={status} />;
};

/** The state chip of a list row; `prefix` reads a task row's case columns (case_status, case_result). */
export const CaseStateField = ({ prefix = '' }: { prefix?: '' | 'case_' }) => {
  const record = useRecordContext<Record<string, string | null>>();
  if (!record) return null;
  return <CaseStateChip status={String(record[`${prefix}status`] ?? '')} result={record[`${prefix}result`]} />;
};
