import EditIcon from '@mui/icons-material/Edit';
import { Box, Card, CardContent, Chip, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { Button, Show, SimpleShowLayout, TextField, useNotify, usePermissions, useRecordContext, useTranslate } from 'react-admin';
import { Link } from 'react-router-dom';
import { BpmnViewer } from '../bpmn/BpmnViewer';
import { fetchVersion, fetchVersions, setCurrentVersion, type ProcessVersion } from './api';
import { CategoryField, StatusField } from './lifecycle';
import { ProcessSettings } from './ProcessSettings';
import { beijingTime } from '../beijing-time';

/** Every version of a process with its diagram (E5); the administrator picks which one new cases use. */
const Versions = () => {
  const record = useRecordContext<{ id: string }>();
  const translate = useTranslate();
  const notify = useNotify();
  const { permissions } = usePermissions<string[]>();
  const canPublish = permissions?.includes('processes:publish');
  const [versions, setVersions] = useState<ProcessVersion[]>([]);
  const [selected, setSelected] = useState<number | null>(null);
  const [xml, setXml] = useState<string | null>(null);

  const load = async (key: string) => {
    const list = await fetchVersions(key);
    setVersions(list);
    setSelected((s) => s ?? list.find((v) => v.current)?.version ?? list[0]?.version ?? null);
  };
  useEffect(() => {
    if (record) void load(record.id);
  }, [record]);
  useEffect(() => {
    if (record && selected) void fetchVersion(record.id, selected).then((v) => setXml(v.xml));
  }, [record, selected]);

  if (!record) return null;
  return (
    <Stack spacing={2}>
      <Table size="small" data-testid="process-versions">
        <TableHead>
          <TableRow>
            <TableCell>{translate('processes.version')}</TableCell>
            <TableCell>{translate('processes.published_at')}</TableCell>
            <TableCell>{translate('processes.published_by')}</TableCell>
            <TableCell />
          </TableRow>
        </TableHead>
        <TableBody>
          {versions.map((v) => (
            <TableRow key={v.version} hover selected={v.version === selected} onClick={() => setSelected(v.version)} sx={{ cursor: 'pointer' }}>
              <TableCell>
                v{v.version} {v.current && <Chip size="small" color="primary" label={translate('processes.current')} />}
              </TableCell>
              <TableCell>{beijingTime(v.published_at)}</TableCell>
              <TableCell>{v.published_by_name ?? translate('processes.shipped')}</TableCell>
              <TableCell align="right">
                {canPublish && !v.current && (
                  <Button
                    label="processes.make_current"
                    onClick={async (e) => {
                      e.stopPropagation();
                      await setCurrentVersion(record.id, v.version);
                      notify('processes.made_current', { type: 'success', messageArgs: { version: v.version } });
                      await load(record.id);
                    }}
                  />
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {xml && (
        <Box>
          <Typography variant="subtitle2" gutterBottom>
            {translate('processes.diagram_of', { version: selected })}
          </Typography>
          <BpmnViewer xml={xml} />
        </Box>
      )}
    </Stack>
  );
};

const DesignButton = () => {
  const record = useRecordContext<{ id: string }>();
  const { permissions } = usePermissions<string[]>();
  if (!record || !permissions?.includes('processes:publish')) return null;
  return (
    <Button component={Link} to={`/processes/${encodeURIComponent(record.id)}/design`} label="processes.design">
      <EditIcon />
    </Button>
  );
};

export const ProcessShow = () => (
  <Show
    actions={
      <Box sx={{ p: 1 }}>
        <DesignButton />
      </Box>
    }
  >
    <SimpleShowLayout>
      <TextField source="process_key" />
      <TextField source="name" />
      <StatusField source="status" />
      <CategoryField source="category" />
      <TextField source="current_version" />
      <TextField source="coding_rule" />
      <ProcessSettings />
      <Card variant="outlined">
        <CardContent>
          <Versions />
        </CardContent>
      </Card>
    </SimpleShowLayout>
  </Show>
);
