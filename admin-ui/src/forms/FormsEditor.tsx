import { FormEditor } from '@bpmn-io/form-js-editor';
import '@bpmn-io/form-js-editor/dist/assets/form-js-editor.css';
import '@bpmn-io/form-js-editor/dist/assets/properties-panel.css';
import '@bpmn-io/form-js-viewer/dist/assets/form-js.css';
import { Alert, Box, Button as MuiButton, FormControl, InputLabel, MenuItem, Select, Stack } from '@mui/material';
import { useEffect, useRef, useState } from 'react';
import { useTranslate } from 'react-admin';
import { REFUSED_COMPONENTS, type FormSchema } from '../../../lib/forms/form-schema';
import { EDITOR_TEXTS, TEXTS, translateFormTexts } from './texts';

const REFUSED_IN_PALETTE = REFUSED_COMPONENTS.map((t) => `& .fjs-palette-field[data-field-type="${t}"]`).join(', ');

/** Form ids the diagram links (zeebe:formDefinition formId), in the order they appear. */
export function linkedFormIds(xml: string): string[] {
  const ids = [...xml.matchAll(/<zeebe:formDefinition\b[^>]*\bformId="([^"]+)"/g)].map((m) => m[1]);
  return [...new Set(ids)];
}

/** A new, empty Camunda form with this id. */
export const emptyForm = (id: string): FormSchema => ({ type: 'default', id, schemaVersion: 19, components: [] });

/**
 * The forms of a process, edited beside its diagram with bpmn-io's form-js editor (the one in
 * Camunda Modeler): one of the forms the diagram links is chosen, edited, and kept here until
 * the process is published with them. Linking a form to the start event or a user task is done
 * in the diagram's properties panel (表单 → Form ID).
 */
export function FormsEditor({ xml, forms, onChange, readOnly }: { xml: string; forms: Record<string, FormSchema>; onChange: (id: string, schema: FormSchema) => void; readOnly: boolean }) {
  const translate = useTranslate();
  const linked = linkedFormIds(xml);
  const [chosen, setChosen] = useState<string>('');
  const container = useRef<HTMLDivElement>(null);
  const current = chosen && linked.includes(chosen) ? chosen : (linked[0] ?? '');
  const schema = current ? forms[current] : undefined;

  useEffect(() => {
    if (!container.current || !schema) return;
    const stopTexts = translateFormTexts(container.current, { ...TEXTS, ...EDITOR_TEXTS });
    const editor = new FormEditor({ container: container.current });
    void editor.importSchema(schema);
    // form-js calls its change event "changed"; the schema is saved on every edit.
    editor.on('changed', () => onChange(current, { ...(editor.saveSchema() as FormSchema), id: current }));
    return () => {
      stopTexts();
      editor.destroy();
    };
    // Re-created only when another form is chosen: edits flow out, not back in.
  }, [current, Boolean(schema)]);

  if (!linked.length) return <Alert severity="info">{translate('forms.none_linked')}</Alert>;
  return (
    <Stack spacing={1} data-testid="forms-editor">
      <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }}>
        <FormControl size="small" sx={{ minWidth: 260 }}>
          <InputLabel id="form-choice">{translate('forms.form')}</InputLabel>
          <Select labelId="form-choice" label={translate('forms.form')} value={current} onChange={(e) => setChosen(e.target.value)} data-testid="form-choice">
            {linked.map((id) => (
              <MenuItem key={id} value={id}>
                {id}
                {forms[id] ? '' : `（${translate('forms.missing')}）`}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
        {!schema && !readOnly && (
          <MuiButton variant="outlined" onClick={() => onChange(current, emptyForm(current))} data-testid="form-create">
            {translate('forms.create')}
          </MuiButton>
        )}
      </Stack>
      {!schema && <Alert severity="warning">{translate('forms.missing_help', { id: current })}</Alert>}
      {schema && (
        <Box
          ref={container}
          // Components refused at publishing (lib/forms/form-schema.ts) are not offered in the palette.
          sx={{ height: 560, border: 1, borderColor: 'divider', [REFUSED_IN_PALETTE]: { display: 'none' } }}
        />
      )}
    </Stack>
  );
}
