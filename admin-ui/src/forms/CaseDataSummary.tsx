import { Box, Table, TableBody, TableCell, TableRow, Typography } from '@mui/material';
import { useMemo } from 'react';
import { useLocaleState, useTranslate } from 'react-admin';
import { durationInWords } from '../../../lib/forms/durations';
import { walkComponents, type FormComponent, type FormSchema, type FormValues } from '../../../lib/forms/form-schema';
import { CamundaForm } from './CamundaForm';

/** Variables shown elsewhere on the page (files, automatic checks) or kept for the engine. */
const SHOWN_ELSEWHERE = new Set(['attachments', 'materials', 'checks']);

/** The form without its file pickers: the files are listed as links beside it. */
function withoutFilePickers(schema: FormSchema): FormSchema {
  const strip = (list: FormComponent[]): FormComponent[] =>
    list
      .filter((c) => c.type !== 'filepicker')
      .map((c) => (c.components ? { ...c, components: strip(c.components) } : c))
      .filter((c) => c.type !== 'group' || (c.components?.length ?? 0) > 0);
  return { ...schema, components: strip(schema.components) };
}

/** Keys the start form shows (its inputs, and its groups' and lists' paths). */
function keysOf(schema: FormSchema | null): Set<string> {
  const out = new Set<string>();
  const walk = (list: FormComponent[]) => {
    for (const c of list) {
      if (c.key) out.add(c.key.split('.')[0]);
      if (c.path) out.add(c.path.split('.')[0]);
      else if (c.components) walk(c.components);
    }
  };
  if (schema) walk(schema.components);
  return out;
}

function display(value: unknown, translate: (key: string) => string): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return translate(value ? 'cases.yes' : 'cases.no');
  if (Array.isArray(value)) return value.map((v) => display(v, translate)).join('、');
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}：${display(v, translate)}`)
      .join('；');
  }
  return String(value);
}

/**
 * A case's data in users' words: the application as its pinned start form shows it (read-only,
 * form-js), then the other variables the case gathered, named by the labels of the process's
 * forms. Replaces the raw JSON the task page used to show.
 */
export function CaseDataSummary({ form, labels, variables: stored }: { form: FormSchema | null; labels: Record<string, string>; variables: FormValues }) {
  const translate = useTranslate();
  const [locale] = useLocaleState();
  const schema = useMemo(() => (form ? withoutFilePickers(form) : null), [form]);
  // A span the case keeps as P10D (its timers read it) is shown as the applicant wrote it: 10 天.
  const variables = useMemo(() => {
    const shown: FormValues = { ...stored };
    if (form)
      walkComponents(form.components, (c) => {
        if (c.properties?.format === 'duration' && c.key && typeof shown[c.key] === 'string') shown[c.key] = durationInWords(shown[c.key] as string, locale.startsWith('en') ? 'en' : 'zh-CN');
      });
    return shown;
  }, [form, stored, locale]);
  const inForm = useMemo(() => keysOf(form), [form]);
  const others = Object.entries(variables).filter(([k]) => !SHOWN_ELSEWHERE.has(k) && !k.startsWith('_') && !inForm.has(k));
  return (
    <Box data-testid="case-variables">
      {schema && <CamundaForm schema={schema} data={variables} readOnly />}
      {others.length > 0 && (
        <>
          <Typography variant="subtitle2" sx={{ mt: 1 }}>
            {translate(schema ? 'cases.other_data' : 'cases.case_data')}
          </Typography>
          <Table size="small">
            <TableBody>
              {others.map(([k, v]) => (
                <TableRow key={k}>
                  <TableCell sx={{ width: '35%', color: 'text.secondary' }}>{labels[k] ?? (k === 'outcome' ? translate('cases.last_outcome') : k)}</TableCell>
                  {/* The engine keeps the latest decision as `outcome`: shown in words, as the timeline shows it. */}
                  <TableCell>{k === 'outcome' && typeof v === 'string' && !labels[k] ? translate(`outcomes.${v}`, { _: v }) : display(v, translate)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </>
      )}
    </Box>
  );
}
