import { Chip } from '@mui/material';
import { useTranslate } from 'react-admin';

/**
 * Grades from the best down as the standard's default bands name them (lib/credit/standard.ts);
 * a grade a later standard adds sorts after them. One colour per grade, in chips and charts.
 */
const ORDER = ['AAA', 'AA', 'A', 'B', 'C'];
const COLOURS: Record<string, string> = { AAA: '#2e7d32', AA: '#689f38', A: '#0277bd', B: '#ef6c00', C: '#c62828' };

export const gradeColour = (grade: string | null | undefined): string => (grade ? (COLOURS[grade] ?? '#757575') : '#9e9e9e');

export function sortGrades(grades: string[]): string[] {
  const at = (g: string) => (ORDER.includes(g) ? ORDER.indexOf(g) : g === '—' ? 99 : 50);
  return [...grades].sort((a, b) => at(a) - at(b) || a.localeCompare(b));
}

/** A grade as a coloured chip; a veto record says so beside it. */
export function GradeChip({ grade, veto = false, size = 'small' }: { grade: string | null | undefined; veto?: boolean; size?: 'small' | 'medium' }) {
  const translate = useTranslate();
  return (
    <span data-testid="credit-grade" data-grade={grade ?? ''}>
      <Chip size={size} label={grade ?? '—'} sx={{ bgcolor: gradeColour(grade), color: '#fff', fontWeight: 600, minWidth: 48 }} />
      {veto && <Chip size={size} color="error" variant="outlined" label={translate('credit.veto')} sx={{ ml: 0.5 }} />}
    </span>
  );
}
