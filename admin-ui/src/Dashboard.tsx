import { Box, Button as MuiButton, Card, CardActionArea, CardContent, Grid, List, ListItemButton, ListItemText, Stack, Typography } from '@mui/material';
import { useEffect, useMemo, useState } from 'react';
import { Title, useGetIdentity, useGetList, usePermissions, useTranslate } from 'react-admin';
import { useBoxCount } from './inbox/useBoxCount';
import { Link } from 'react-router-dom';
import type { Me } from './authProvider';
import { CaseStateChip } from './cases/outcome';
import { fetchStartable, type StartableProcess } from './cases/startForm';
import { apiFetch } from './api';
import { beijingTime } from './beijing-time';

/** A box's filtered list, as a link the inbox opens with that filter applied. */
const boxLink = (box: string, filter?: Record<string, unknown>) => (filter ? `/inbox/${box}?filter=${encodeURIComponent(JSON.stringify(filter))}` : `/inbox/${box}`);

const CountCard = ({ label, count, to, tone, testId }: { label: string; count: number | null; to: string; tone: 'primary' | 'error' | 'warning' | 'info'; testId: string }) => (
  <Card sx={{ height: '100%' }}>
    <CardActionArea component={Link} to={to} sx={{ height: '100%' }} data-testid={testId}>
      <CardContent>
        <Typography variant="body2" color="text.secondary">
          {label}
        </Typography>
        <Typography variant="h4" color={count ? `${tone}.main` : 'text.secondary'} data-testid={`${testId}-count`}>
          {count === null ? '…' : count >= 1000 ? '999+' : count}
        </Typography>
      </CardContent>
    </CardActionArea>
  </Card>
);

/** 待办, 待签, overdue and due within a day: each a count that opens the box filtered to it. */
const TaskCounts = () => {
  const translate = useTranslate();
  // Fixed for the page's life, so the due-soon query is not a new one on every render.
  const soon = useMemo(() => new Date(Date.now() + 86_400_000).toISOString(), []);
  const todo = useBoxCount('todo');
  const claimable = useBoxCount('claimable');
  const overdue = useBoxCount('todo', { overdue: true });
  const dueSoon = useBoxCount('todo', { overdue: false, due_before: soon });
  return (
    <Grid container spacing={2}>
      <Grid size={{ xs: 6, md: 3 }}>
        <CountCard label={translate('inbox.todo')} count={todo} to={boxLink('todo')} tone="primary" testId="home-todo" />
      </Grid>
      <Grid size={{ xs: 6, md: 3 }}>
        <CountCard label={translate('inbox.claimable')} count={claimable} to={boxLink('claimable')} tone="info" testId="home-claimable" />
      </Grid>
      <Grid size={{ xs: 6, md: 3 }}>
        <CountCard label={translate('home.overdue')} count={overdue} to={boxLink('todo', { overdue: true })} tone="error" testId="home-overdue" />
      </Grid>
      <Grid size={{ xs: 6, md: 3 }}>
        <CountCard label={translate('home.due_soon')} count={dueSoon} to={boxLink('todo', { overdue: false, due_before: soon })} tone="warning" testId="home-due-soon" />
      </Grid>
    </Grid>
  );
};

/** 发起申请 shortcuts: the processes this role may start (the server's list, /api/processes/startable). */
const StartShortcuts = () => {
  const translate = useTranslate();
  const [processes, setProcesses] = useState<StartableProcess[] | null>(null);
  useEffect(() => {
    void fetchStartable()
      .then(setProcesses)
      .catch(() => setProcesses([]));
  }, []);
  if (!processes?.length) return null;
  return (
    <Card>
      <CardContent>
        <Typography variant="h6" gutterBottom>
          {translate('cases.start')}
        </Typography>
        <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: 'wrap' }} data-testid="home-start">
          {processes.map((p) => (
            <MuiButton key={p.key} component={Link} to={`/cases/start/${encodeURIComponent(p.key)}`} variant="outlined" size="small">
              {p.name}
            </MuiButton>
          ))}
        </Stack>
      </CardContent>
    </Card>
  );
};

/** My five latest applications, each with where it stands and its current step. */
const RecentCases = () => {
  const translate = useTranslate();
  const { data, isPending } = useGetList<{ id: number; number: string; title: string; status: string; result: string | null; current_steps: string | null }>('inbox/started', {
    pagination: { page: 1, perPage: 5 },
    sort: { field: 'started_at', order: 'DESC' },
  });
  if (isPending || !data?.length) return null;
  return (
    <Card>
      <CardContent>
        <Typography variant="h6">{translate('home.recent_cases')}</Typography>
        <List dense data-testid="home-recent">
          {data.map((c) => (
            <ListItemButton key={c.id} component={Link} to={`/cases/${c.id}/show`}>
              <ListItemText primary={`${c.number} ${c.title}`} secondary={c.current_steps ? `${translate('cases.current_step')}：${c.current_steps}` : null} />
              <CaseStateChip status={c.status} result={c.result} />
            </ListItemButton>
          ))}
        </List>
        <MuiButton component={Link} to="/inbox/started" size="small">
          {translate('home.all_started')}
        </MuiButton>
      </CardContent>
    </Card>
  );
};

interface BacklogRow {
  process_key: string;
  process_name: string;
  open: number;
  supplement: number;
  incident: number;
}

/** 在办事项: the scope's cases in progress by process, each opening the case list filtered to it. */
const Backlog = () => {
  const translate = useTranslate();
  const [backlog, setBacklog] = useState<{ rows: BacklogRow[]; complete: boolean } | null>(null);
  useEffect(() => {
    apiFetch('/api/home/backlog')
      .then((r) => r.json() as Promise<{ rows: BacklogRow[]; complete: boolean }>)
      .then(setBacklog)
      .catch(() => setBacklog(null));
  }, []);
  if (!backlog?.rows.length) return null;
  const at = (n: number) => (backlog.complete ? String(n) : `${n}+`);
  return (
    <Card>
      <CardContent>
        <Typography variant="h6">{translate('home.backlog')}</Typography>
        <List dense data-testid="home-backlog">
          {backlog.rows.map((r) => (
            <ListItemButton key={r.process_key} component={Link} to={`/cases?filter=${encodeURIComponent(JSON.stringify({ process_key: r.process_key, result: 'none' }))}`} data-testid="home-backlog-row">
              <ListItemText
                primary={r.process_name}
                secondary={[r.supplement ? translate('home.backlog_supplement', { n: r.supplement }) : null, r.incident ? translate('home.backlog_incident', { n: r.incident }) : null].filter(Boolean).join(' · ') || null}
              />
              <Typography variant="h6" color="primary" data-testid="home-backlog-count">
                {at(r.open)}
              </Typography>
            </ListItemButton>
          ))}
        </List>
      </CardContent>
    </Card>
  );
};

/** 我的通知: the latest texts the platform sent me (notices, news of my cases). */
const MyMessages = () => {
  const translate = useTranslate();
  const [messages, setMessages] = useState<Array<{ id: number; text: string; created_at: string }> | null>(null);
  useEffect(() => {
    apiFetch('/api/home/messages')
      .then((r) => r.json() as Promise<Array<{ id: number; text: string; created_at: string }>>)
      .then(setMessages)
      .catch(() => setMessages(null));
  }, []);
  if (!messages?.length) return null;
  return (
    <Card>
      <CardContent>
        <Typography variant="h6">{translate('home.messages')}</Typography>
        <List dense data-testid="home-messages">
          {messages.map((m) => (
            <ListItemText key={m.id} primary={m.text} secondary={beijingTime(m.created_at)} sx={{ mb: 1 }} />
          ))}
        </List>
      </CardContent>
    </Card>
  );
};

/**
 * 工作台, each role's starting point: who is signed in, the tasks waiting (counts that open the
 * box filtered), the applications the role may start, its own latest applications, the texts
 * the platform sent it, and its scope's cases in progress by process.
 */
export const Dashboard = () => {
  const { data, isPending } = useGetIdentity();
  const { permissions } = usePermissions<string[]>();
  const translate = useTranslate();
  if (isPending || !data) return null;
  const me = data as unknown as Me & { fullName: string };
  return (
    <Box sx={{ mt: 2 }}>
      <Title title="ra.page.dashboard" />
      <Stack spacing={2}>
        <Card>
          <CardContent>
            <Typography variant="h5" gutterBottom>
              {translate('app.welcome', { name: me.displayName })}
            </Typography>
            <Typography color="text.secondary" data-testid="home-who">
              {me.organisationName} · {translate(`roles.${me.role}`)}
              {me.scope.kind !== 'none' && ` · ${translate('app.scope')}：${translate(`app.scope_kind.${me.scope.kind}`)}`}
            </Typography>
          </CardContent>
        </Card>
        <TaskCounts />
        {permissions?.includes('cases:start') && <StartShortcuts />}
        {me.scope.kind !== 'none' && <Backlog />}
        <RecentCases />
        <MyMessages />
      </Stack>
    </Box>
  );
};
