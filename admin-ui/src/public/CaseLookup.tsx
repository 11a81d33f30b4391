import { Alert, Box, Button, Card, CardContent, Container, CssBaseline, Stack, TextField, Typography } from '@mui/material';
import { useState, type FormEvent } from 'react';

/**
 * The public case lookup (E4): anyone with a case number and its check code sees the case's
 * public status, without signing in. It lives outside the admin app so nothing of the admin
 * interface loads for the public.
 */
const MESSAGES = {
  zh: {
    title: '办件进度公开查询',
    number: '案件编号',
    checkCode: '查询码',
    search: '查询',
    notFound: '未找到该案件，请核对案件编号和查询码。',
    status: '状态',
    step: '当前环节',
    startedAt: '申请时间',
    endedAt: '办结时间',
    signIn: '工作人员登录',
    statuses: { running: '办理中', supplement: '待补正', completed: '已办结', withdrawn: '已撤回', terminated: '已终止', incident: '办理中' } as Record<string, string>,
  },
  en: {
    title: 'Case status lookup',
    number: 'Case number',
    checkCode: 'Check code',
    search: 'Look up',
    notFound: 'No such case: check the number and the check code.',
    status: 'Status',
    step: 'Current step',
    startedAt: 'Applied',
    endedAt: 'Finished',
    signIn: 'Staff sign-in',
    statuses: { running: 'In progress', supplement: 'Awaiting supplement', completed: 'Completed', withdrawn: 'Withdrawn', terminated: 'Terminated', incident: 'In progress' } as Record<string, string>,
  },
};

interface PublicCase {
  number: string;
  title: string;
  status: string;
  result: string | null;
  current_steps: string | null;
  started_at: string;
  ended_at: string | null;
}

export const CaseLookup = () => {
  const lang = navigator.language.startsWith('zh') ? 'zh' : 'en';
  const t = MESSAGES[lang];
  const [number, setNumber] = useState('');
  const [checkCode, setCheckCode] = useState('');
  const [found, setFound] = useState<PublicCase | null>(null);
  const [notFound, setNotFound] = useState(false);

  const search = async (e: FormEvent) => {
    e.preventDefault();
    setFound(null);
    setNotFound(false);
    const res = await fetch(`/api/public/cases/${encodeURIComponent(number.trim())}?checkCode=${encodeURIComponent(checkCode.trim())}`);
    if (res.ok) setFound((await res.json()) as PublicCase);
    else setNotFound(true);
  };

  return (
    <Container maxWidth="sm" sx={{ mt: 6 }}>
      <CssBaseline />
      <Card>
        <CardContent>
          <Typography variant="h5" gutterBottom>
            {t.title}
          </Typography>
          <Box component="form" onSubmit={search}>
            <Stack spacing={2}>
              <TextField label={t.number} value={number} onChange={(e) => setNumber(e.target.value)} required />
              <TextField label={t.checkCode} value={checkCode} onChange={(e) => setCheckCode(e.target.value)} required />
              <Button type="submit" variant="contained">
                {t.search}
              </Button>
            </Stack>
          </Box>
          {notFound && (
            <Alert severity="warning" sx={{ mt: 2 }}>
              {t.notFound}
            </Alert>
          )}
          {found && (
            <Box sx={{ mt: 2 }} data-testid="public-case">
              <Typography variant="h6">
                {found.number} {found.title}
              </Typography>
              <Typography>
                {t.status}：{t.statuses[found.status] ?? found.status}
              </Typography>
              {found.current_steps && (
                <Typography>
                  {t.step}：{found.current_steps}
                </Typography>
              )}
              <Typography>
                {t.startedAt}：{new Date(found.started_at).toLocaleString(navigator.language)}
              </Typography>
              {found.ended_at && (
                <Typography>
                  {t.endedAt}：{new Date(found.ended_at).toLocaleString(navigator.language)}
                </Typography>
              )}
            </Box>
          )}
          <Box sx={{ mt: 3 }}>
            <a href="#/">{t.signIn}</a>
          </Box>
        </CardContent>
      </Card>
    </Container>
  );
};
