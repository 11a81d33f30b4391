import PublishIcon from '@mui/icons-material/Publish';
import { Alert, Box, Card, CardContent, List, ListItem, ListItemText, Stack, Typography } from '@mui/material';
import { useEffect, useRef, useState } from 'react';
import { Button, Title, useNotify, useTranslate } from 'react-admin';
import { useNavigate, useParams } from 'react-router-dom';
import { BpmnEditor, type BpmnEditorHandle, type ProcessProblem } from '../bpmn/BpmnEditor';
import { NEW_PROCESS_XML, fetchVersion, fetchVersions, publish } from './api';

/**
 * Edit a process in the browser and publish it as its next version. Publishing validates on the
 * server; each problem is listed here and marked on its element in the diagram.
 */
export const ProcessDesigner = () => {
  const { key } = useParams<{ key: string }>();
  const isNew = key === 'new';
  const translate = useTranslate();
  const notify = useNotify();
  const navigate = useNavigate();
  const editor = useRef<BpmnEditorHandle>(null);
  const [xml, setXml] = useState<string | null>(isNew ? NEW_PROCESS_XML : null);
  const [problems, setProblems] = useState<ProcessProblem[]>([]);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (isNew || !key) return;
    void fetchVersions(key).then(async (versions) => {
      const base = versions.find((v) => v.current) ?? versions[0];
      if (base) setXml((await fetchVersion(key, base.version)).xml);
    });
  }, [key, isNew]);

  const onPublish = async () => {
    if (!editor.current) return;
    setBusy(true);
    try {
      const result = await publish(await editor.current.getXml());
      setProblems([]);
      editor.current.showProblems([]);
      // The same diagram as the latest version publishes nothing new: say so rather than "published".
      notify(result.unchanged ? 'processes.unchanged' : 'processes.published', { type: result.unchanged ? 'info' : 'success', messageArgs: { key: result.processKey, version: result.version } });
      void navigate(`/processes/${encodeURIComponent(result.processKey)}/show`);
    } catch (error) {
      const details = (error as { body?: { error?: { details?: Array<{ field: string; reason: string }> } } }).body?.error?.details ?? [];
      const found = details.map((d) => ({ elementId: d.field, message: d.reason }));
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
            <Button label="processes.validate_publish" variant="contained" onClick={onPublish} disabled={busy || !xml}>
              <PublishIcon />
            </Button>
          </Box>
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
          {xml && <BpmnEditor ref={editor} xml={xml} />}
        </Stack>
      </CardContent>
    </Card>
  );
};
