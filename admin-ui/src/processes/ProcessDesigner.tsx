import DownloadIcon from '@mui/icons-material/Download';
import PublishIcon from '@mui/icons-material/Publish';
import UploadFileIcon from '@mui/icons-material/UploadFile';
import { Alert, Box, Card, CardContent, List, ListItem, ListItemButton, ListItemText, Stack, Tab, Tabs, Typography } from '@mui/material';
import { useCallback, useEffect, useRef, useState, type ChangeEvent } from 'react';
import { Button, Title, useLocaleState, useNotify, usePermissions, useTranslate } from 'react-admin';
import { useNavigate, useParams } from 'react-router-dom';
import { BpmnEditor, type BpmnEditorHandle, type LintResult, type ProcessProblem, type SelectedElement } from '../bpmn/BpmnEditor';
import { NEW_PROCESS_XML, fetchVersion, fetchVersions, publish } from './api';
import { ElementPanel } from './ElementPanel';
import { FormsEditor, linkedFormIds } from '../forms/FormsEditor';
import type { FormSchema } from '../../../lib/forms/form-schema';
import { problemMessage } from './problems';

// The process id of a diagram names its downloaded file, as Camunda Modeler does.
const processIdOf = (xml: string) => /<(?:bpmn:)?process\b[^>]*?\bid="([^"]+)"/.exec(xml)?.[1] ?? 'process';

/**
 * Edit a process in the browser and publish it as its next version. Publishing validates on the
 * server; each problem is listed here (in the interface's language) and marked on its element in
 * the diagram. Only a publisher (processes:publish) sees 校验并发布; anyone who reads processes
 * may open a diagram, import a .bpmn file into the editor and download the diagram.
 */
export const ProcessDesigner = () => {
  const { key } = useParams<{ key: string }>();
  const isNew = key === 'new';
  const translate = useTranslate();
  const notify = useNotify();
  const navigate = useNavigate();
  const { permissions } = usePermissions<string[]>();
  const canPublish = permissions?.includes('processes:publish') ?? false;
  const editor = useRef<BpmnEditorHandle>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const [xml, setXml] = useState<string | null>(isNew ? NEW_PROCESS_XML : null);
  const [problems, setProblems] = useState<ProcessProblem[]>([]);
  const [lint, setLint] = useState<LintResult | null>(null);
  const [locale] = useLocaleState();
  const zhOf = (zh: string | undefined) => (locale === 'zh-CN' ? zh : undefined);
  const [busy, setBusy] = useState(false);
  const [selected, setSelected] = useState<SelectedElement | null>(null);
  // The Camunda forms of the process by id (the latest version's, then as edited here).
  const [forms, setForms] = useState<Record<string, FormSchema>>({});
  const [tab, setTab] = useState<'diagram' | 'forms'>('diagram');
  // The diagram as last saved from the editor, so the forms tab lists the forms it links now.
  const [currentXml, setCurrentXml] = useState('');
  // Bumped on every change of the diagram, so the pickers show what the XML now says.
  const [, setRevision] = useState(0);
  const onChange = useCallback(() => setRevision((r) => r + 1), []);
  const showTab = async (next: 'diagram' | 'forms') => {
    if (next === 'forms' && editor.current) setCurrentXml(await editor.current.getXml());
    setTab(next);
  };

  useEffect(() => {
    if (isNew || !key) return;
    void fetchVersions(key).then(async (versions) => {
      const base = versions.find((v) => v.current) ?? versions[0];
      if (!base) return;
      const version = await fetchVersion(key, base.version);
      setXml(version.xml);
      setForms({ ...(version.forms ?? {}), ...(version.form ? { [version.form.id]: version.form } : {}) });
    });
  }, [key, isNew]);

  const onImport = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    setProblems([]);
    setSelected(null);
    setXml(await file.text());
    notify('processes.imported', { type: 'info', messageArgs: { name: file.name } });
  };

  const onDownload = async () => {
    if (!editor.current) return;
    const out = await editor.current.getXml();
    const url = URL.createObjectURL(new Blob([out], { type: 'application/xml' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `${processIdOf(out)}.bpmn`;
    link.click();
    URL.revokeObjectURL(url);
  };

  const onPublish = async () => {
    if (!editor.current) return;
    setBusy(true);
    try {
      const out = await editor.current.getXml();
      // The forms the diagram links go with it; Camunda deploys .form files beside the .bpmn the same way.
      const linked = Object.fromEntries(linkedFormIds(out).flatMap((id) => (forms[id] ? [[id, forms[id]]] : [])));
      const result = await publish(out, linked);
      setProblems([]);
      editor.current.showProblems([]);
      // The same diagram as the latest version publishes nothing new: say so rather than "published".
      const message = result.unchanged ? 'processes.unchanged' : result.status === 'draft' ? 'processes.published_draft' : 'processes.published';
      notify(message, { type: result.unchanged ? 'info' : 'success', messageArgs: { key: result.processKey, version: result.version } });
      void navigate(`/processes/${encodeURIComponent(result.processKey)}/show`);
    } catch (error) {
      const details = (error as { body?: { error?: { details?: Array<{ field: string; reason: string; zh?: string }> } } }).body?.error?.details ?? [];
      const found = details.map((d) => ({ elementId: d.field, message: problemMessage(d.reason, translate, zhOf(d.zh)) }));
      setProblems(found.length ? found : [{ elementId: '', message: (error as Error).message }]);
      editor.current.showProblems(found);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card sx={{ mt: 2 }}>
      <Title title={isNew ? 'processes.new' : translate('processes.design_of', { key })} />
      <CardContent>
        <Stack spacing={2}>
          <Box sx={{ display: 'flex', alignItems: 'center', gap: 2 }}>
            <Typography variant="h6" sx={{ flex: 1 }}>
              {isNew ? translate('processes.new') : translate('processes.design_of', { key })}
            </Typography>
            <input ref={fileInput} type="file" accept=".bpmn,.xml,application/xml,text/xml" hidden onChange={onImport} data-testid="bpmn-file-input" />
            <Button label="processes.import" onClick={() => fileInput.current?.click()}>
              <UploadFileIcon />
            </Button>
            <Button label="processes.download" onClick={onDownload} disabled={!xml}>
              <DownloadIcon />
            </Button>
            {canPublish && (
              <Button label="processes.validate_publish" variant="contained" onClick={onPublish} disabled={busy || !xml}>
                <PublishIcon />
              </Button>
            )}
          </Box>
          {!canPublish && <Alert severity="info">{translate('processes.read_only')}</Alert>}
          {problems.length > 0 && (
            <Alert severity="error" data-testid="process-problems">
              {translate('processes.problems', { smart_count: problems.length })}
              <List dense>
                {problems.map((p, i) => (
                  <ListItem key={i} disableGutters>
                    <ListItemText primary={p.elementId ? `${p.elementId}: ${p.message}` : p.message} />
                  </ListItem>
                ))}
              </List>
            </Alert>
          )}
          {lint && tab === 'diagram' && (
            <Alert severity={lint.errors.length ? 'error' : lint.warnings.length ? 'warning' : 'success'} variant="outlined" data-testid="lint-problems">
              <strong>{translate('processes.lint_title')}</strong>
              {': '}
              {lint.errors.length || lint.warnings.length ? translate('processes.lint_summary', { errors: lint.errors.length, warnings: lint.warnings.length }) : translate('processes.lint_clean')}
              {(lint.errors.length > 0 || lint.warnings.length > 0) && (
                <List dense sx={{ maxHeight: 180, overflow: 'auto' }}>
                  {[...lint.errors.map((p) => ({ p, error: true })), ...lint.warnings.map((p) => ({ p, error: false }))].map(({ p, error }, i) => (
                    <ListItemButton key={i} dense onClick={() => editor.current?.showLintProblem(p)} data-testid={error ? 'lint-error' : 'lint-warning'}>
                      <ListItemText primary={`${translate(error ? 'processes.lint_error' : 'processes.lint_warning')} · ${p.elementId}: ${problemMessage(p.message, translate, zhOf(p.zh))}`} />
                    </ListItemButton>
                  ))}
                </List>
              )}
            </Alert>
          )}
          <Tabs value={tab} onChange={(_, v: 'diagram' | 'forms') => void showTab(v)}>
            <Tab value="diagram" label={translate('forms.tab_diagram')} />
            <Tab value="forms" label={translate('forms.tab_forms')} data-testid="tab-forms" />
          </Tabs>
          {tab === 'forms' && <FormsEditor xml={currentXml} forms={forms} readOnly={!canPublish} onChange={(id, schema) => setForms((f) => ({ ...f, [id]: schema }))} />}
          {xml && (
            <Box sx={{ display: tab === 'diagram' ? 'block' : 'none' }}>
              <BpmnEditor
                ref={editor}
                xml={xml}
                onSelect={setSelected}
                onChange={onChange}
                onLint={setLint}
                onImportError={(message) => notify('processes.import_failed', { type: 'error', messageArgs: { message } })}
                aside={<ElementPanel editor={editor} selected={selected} readOnly={!canPublish} />}
              />
            </Box>
          )}
        </Stack>
      </CardContent>
    </Card>
  );
};
