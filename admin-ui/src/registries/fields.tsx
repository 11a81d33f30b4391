import { Box } from '@mui/material';
import { AutocompleteInput, BooleanField, BooleanInput, DateField, DateInput, Labeled, NumberField, NumberInput, ReferenceField, ReferenceInput, SelectField, SelectInput, TextField, TextInput, required } from 'react-admin';
import { RegionInput, choicesOf } from './components';
import { PersonalText, isPersonal, useMaskedHint } from './personal';
import type registriesZh from './messages-zh-CN';

/**
 * One description per form field, rendered both as a read-only field (Show) and as an input
 * (Edit/Create), so the two pages of a registry cannot list different fields.
 */
export type FieldKind =
  | { kind: 'text'; multiline?: boolean }
  | { kind: 'number'; step?: number }
  | { kind: 'bool' }
  | { kind: 'date' }
  | { kind: 'enum'; choices: keyof typeof registriesZh.choices }
  | { kind: 'ref'; reference: string; optionText: string; filter?: Record<string, unknown> }
  | { kind: 'region'; level: 'district' | 'street' | 'community'; parentSource?: string; nameSource: string };

export type FieldDef = FieldKind & { source: string; required?: boolean; readOnly?: boolean };

export const text = (source: string, extra: Partial<FieldDef> = {}): FieldDef => ({ source, kind: 'text', ...extra }) as FieldDef;
export const num = (source: string, extra: Partial<FieldDef> = {}): FieldDef => ({ source, kind: 'number', ...extra }) as FieldDef;
export const bool = (source: string): FieldDef => ({ source, kind: 'bool' });
export const day = (source: string, extra: Partial<FieldDef> = {}): FieldDef => ({ source, kind: 'date', ...extra }) as FieldDef;
export const choice = (source: string, choices: keyof typeof registriesZh.choices, extra: Partial<FieldDef> = {}): FieldDef => ({ source, kind: 'enum', choices, ...extra }) as FieldDef;
export const ref = (source: string, reference: string, optionText = 'name', extra: Partial<FieldDef> = {}): FieldDef => ({ source, kind: 'ref', reference, optionText, ...extra }) as FieldDef;

export function ShowField({ def, resource }: { def: FieldDef; resource?: string }) {
  // Personal fields arrive masked; PersonalText shows the clear value once revealed (personal.tsx).
  if (resource && isPersonal(resource, def.source)) return <PersonalText source={def.source} />;
  switch (def.kind) {
    case 'number':
      return <NumberField source={def.source} />;
    case 'bool':
      return <BooleanField source={def.source} />;
    case 'date':
      return <DateField source={def.source} />;
    case 'enum':
      return <SelectField source={def.source} choices={choicesOf(def.choices)} />;
    case 'ref':
      return <ReferenceField source={def.source} reference={def.reference} link="show" emptyText="—" />;
    case 'region':
      return <TextField source={def.nameSource} emptyText="—" />;
    default:
      return <TextField source={def.source} emptyText="—" />;
  }
}

/** Read-only fields in a compact grid, each with its translated label. */
export const FieldGrid = ({ defs, resource }: { defs: FieldDef[]; resource: string }) => (
  <Box sx={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(220px, 1fr))', gap: 2, width: '100%' }}>
    {defs.map((d) => (
      <Labeled key={d.source} label={`resources.${resource}.fields.${d.source}`}>
        <ShowField def={d} resource={resource} />
      </Labeled>
    ))}
  </Box>
);

export function InputFor({ def, resource }: { def: FieldDef; resource: string }) {
  const validate = def.required ? required() : undefined;
  const label = `resources.${resource}.fields.${def.source}`;
  const maskedHint = useMaskedHint();
  const common = { source: def.source, label, validate, disabled: def.readOnly, ...(isPersonal(resource, def.source) ? { helperText: maskedHint } : {}) };
  switch (def.kind) {
    case 'number':
      return <NumberInput {...common} step={def.step ?? 1} />;
    case 'bool':
      return <BooleanInput {...common} />;
    case 'date':
      return <DateInput {...common} />;
    case 'enum':
      return <SelectInput {...common} choices={choicesOf(def.choices)} />;
    case 'ref':
      return (
        <ReferenceInput source={def.source} reference={def.reference} filter={def.filter} perPage={25}>
          <AutocompleteInput label={label} optionText={def.optionText} filterToQuery={(q: string) => ({ q })} validate={validate} disabled={def.readOnly} />
        </ReferenceInput>
      );
    case 'region':
      return <RegionInput {...common} level={def.level} parentSource={def.parentSource} />;
    default:
      return <TextInput {...common} multiline={def.multiline} fullWidth={def.multiline} />;
  }
}

/** Inputs in a responsive grid. */
export const InputGrid = ({ defs, resource }: { defs: FieldDef[]; resource: string }) => (
  <Box sx={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(260px, 1fr))', columnGap: 2, width: '100%' }}>
    {defs.map((d) => (
      <InputFor key={d.source} def={d} resource={resource} />
    ))}
  </Box>
);
