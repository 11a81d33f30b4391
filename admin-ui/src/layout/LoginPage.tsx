import { Box, Button, CardContent, CircularProgress, TextField, Typography } from '@mui/material';
import { useState, type FormEvent } from 'react';
import { Login, useLogin, useNotify, useTranslate } from 'react-admin';

/**
 * The sign-in form: username and password, then — when the API asks for it (administrators,
 * docs/security.md "Second factor") — the 6-digit code of the authenticator app or a recovery
 * code, sent again with the password. With the way to the public case lookup for people
 * without an account.
 */
export const LoginPage = () => {
  const translate = useTranslate();
  const login = useLogin();
  const notify = useNotify();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [askCode, setAskCode] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      const result = (await login({ username, password, ...(askCode && code ? { code: code.trim() } : {}) })) as { recoveryCodesLeft?: number } | undefined;
      if (result?.recoveryCodesLeft !== undefined) notify('app.recovery_codes_left', { type: 'warning', messageArgs: { count: result.recoveryCodesLeft } });
    } catch (error) {
      const message = (error as Error).message;
      if (message === 'app.second_factor_required') {
        setAskCode(true);
        notify(message, { type: 'info' });
      } else {
        if (message === 'app.invalid_second_factor') setCode('');
        notify(message || 'ra.auth.sign_in_error', { type: 'error' });
      }
      setBusy(false);
    }
  };

  return (
    <Login>
      <form onSubmit={submit} noValidate>
        <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2, minWidth: 300 }}>
          <Typography variant="h6" component="h1" sx={{ textAlign: 'center' }} data-testid="platform-name">
            {translate('app.title')}
          </Typography>
          <TextField name="username" label={translate('ra.auth.username')} value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="username" autoFocus={!askCode} required fullWidth disabled={askCode} />
          <TextField name="password" type="password" label={translate('ra.auth.password')} value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" required fullWidth disabled={askCode} />
          {askCode ? (
            <TextField
              name="code"
              label={translate('app.second_factor_code')}
              helperText={translate('app.second_factor_code_help')}
              value={code}
              onChange={(e) => setCode(e.target.value)}
              autoComplete="one-time-code"
              slotProps={{ htmlInput: { inputMode: 'text', maxLength: 32 } }}
              autoFocus
              required
              fullWidth
            />
          ) : null}
          <Button type="submit" variant="contained" color="primary" disabled={busy} fullWidth>
            {busy ? <CircularProgress size={19} thickness={3} /> : translate('ra.auth.sign_in')}
          </Button>
        </CardContent>
      </form>
      <Box sx={{ textAlign: 'center', pb: 2 }}>
        <a href="#/public">{translate('app.public_lookup')}</a>
      </Box>
    </Login>
  );
};
