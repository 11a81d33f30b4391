import { Alert, Box, Button, Card, CardContent, Chip, Container, CssBaseline, Stack, TextField, ToggleButton, ToggleButtonGroup, Typography } from '@mui/material';
import { useState, type FormEvent } from 'react';
import { beijingTime } from '../beijing-time';
import { resultColor } from '../cases/outcome-colors';

/**
 * The public case lookup (E4): anyone with a case number and its check code sees the case's
 * public status, without signing in. It lives outside the admin app so nothing of the admin
 * interface loads for the public. Chinese whatever the browser's language (the reader may switch
 * to English, and the choice is remembered); times are Beijing time.
 */
const MESSAGES = {
  zh: {
    platform: '物业监管与服务平台',
    title: '办件进度公开查询',
    result: '办理结果',
    results: { approved: '准予', rejected: '不予', withdrawn: '撤回', terminated: '终止' } as Record<string, string>,
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
    platform: 'Property Service Supervision Platform',
    title: 'Case status lookup',
    result: 'Result',
    results: { approved: 'Approved', rejected: 'Rejected', withdrawn: 'Withdrawn', terminated: 'Terminated' } as Record<string, string>,
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

type Lang = keyof typeof MESSAGES;
const LANG_KEY = 'psp.public.lang';
const savedLang = (): Lang => {
  try {
    return localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh';
  }
};

export const CaseLookup = () => {
  const [lang, setLang] = useState<Lang>(savedLang);
  const t = MESSAGES[lang];
  const switchTo = (next: Lang | null) => {
    if (!next) return;
    setLang(next);
    document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
    try {
      localStorage.setItem(LANG_KEY, next);
    } catch {
      // private browsing: the choice lasts for this page only
    }
  };
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
      <Stack direction="row" sx={{ justifyContent: 'space-between', alignItems: 'center', mb: 2 }}>
        <Typography variant="subtitle1" color="text.secondary" data-testid="platform-name">
          {t.platform}
        </Typography>
        <ToggleButtonGroup size="small" exclusive value={lang} onChange={(_e, v: Lang | null) => switchTo(v)} aria-label="language">
          <ToggleButton value="zh">中文</ToggleButton>
          <ToggleButton value="en">English</ToggleButton>
        </ToggleButtonGroup>
      </Stack>
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
              {found.result && (
                <Typography component="div">
                  {t.result}：<Chip size="small" color={resultColor(found.result)} label={t.results[found.result] ?? found.result} data-testid="public-result" />
                </Typography>
              )}
              {found.current_steps && (
                <Typography>
                  {t.step}：{found.current_steps}
                </Typography>
              )}
              <Typography>
                {t.startedAt}：{beijingTime(found.started_at)}
              </Typography>
              {found.ended_at && (
                <Typography>
                  {t.endedAt}：{beijingTime(found.ended_at)}
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
