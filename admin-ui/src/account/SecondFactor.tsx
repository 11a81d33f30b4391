import { Alert, Box, Button, Card, CardContent, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import { Title, useGetIdentity, useNotify, useTranslate } from 'react-admin';
import { apiFetch } from '../api';
import { forgetIdentity } from '../authProvider';

interface Setup {
  secret: string;
  uri: string;
  qr: string;
}

/**
 * Enrolling the authenticator app (TOTP, RFC 6238): the API makes a secret, shown as a QR code
 * and as text; the first code from the app confirms it, and the ten recovery codes are shown
 * once. Administrators are sent here until they have enrolled (Layout's gate).
 */
export const SecondFactor = () => {
  const translate = useTranslate();
  const notify = useNotify();
  const { identity } = useGetIdentity();
  const [setup, setSetup] = useState<Setup | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);

  const start = async () => {
    try {
      setSetup((await (await apiFetch('/api/auth/second-factor/setup', { method: 'POST' })).json()) as Setup);
    } catch (e) {
      notify((e as Error).message, { type: 'error' });
    }
  };
  const confirm = async () => {
    setError(null);
    try {
      const res = await apiFetch('/api/auth/second-factor/confirm', { method: 'POST', body: JSON.stringify({ code: code.trim() }) });
      setRecoveryCodes(((await res.json()) as { recoveryCodes: string[] }).recoveryCodes);
    } catch {
      setError(translate('app.invalid_second_factor'));
    }
  };
  const done = () => {
    forgetIdentity();
    window.location.assign('/');
  };

  return (
    <Card sx={{ mt: 2, maxWidth: 560 }}>
      <Title title="app.second_factor_enrol_title" />
      <CardContent>
        <Typography variant="h6" gutterBottom>
          {translate('app.second_factor_enrol_title')}
        </Typography>
        {recoveryCodes ? (
          <Box data-testid="recovery-codes">
            <Alert severity="warning" sx={{ mb: 2 }}>
              {translate('app.recovery_codes_help')}
            </Alert>
            <Typography variant="subtitle1">{translate('app.recovery_codes_title')}</Typography>
            <Box component="ol" sx={{ fontFamily: 'monospace', fontSize: 18 }}>
              {recoveryCodes.map((c) => (
                <li key={c}>{c}</li>
              ))}
            </Box>
            <Button variant="contained" onClick={done}>
              {translate('app.continue')}
            </Button>
          </Box>
        ) : identity?.secondFactorEnrolled ? (
          <Alert severity="success">{translate('app.second_factor_enrolled')}</Alert>
        ) : (
          <>
            {identity?.secondFactorRequired ? (
              <Alert severity="warning" sx={{ mb: 2 }}>
                {translate('app.second_factor_enrol_required')}
              </Alert>
            ) : (
              <Typography sx={{ mb: 2 }}>{translate('app.second_factor_not_enrolled')}</Typography>
            )}
            {setup ? (
              <Box>
                <Typography>{translate('app.second_factor_scan')}</Typography>
                <Box component="img" src={setup.qr} alt="otpauth QR" data-testid="totp-qr" sx={{ display: 'block', my: 1, width: 220, height: 220 }} />
                <Typography sx={{ fontFamily: 'monospace', wordBreak: 'break-all', mb: 2 }} data-testid="totp-secret">
                  {translate('app.second_factor_secret')}: {setup.secret}
                </Typography>
                <TextField
                  name="code"
                  label={translate('app.second_factor_code')}
                  value={code}
                  onChange={(e) => setCode(e.target.value)}
                  error={error !== null}
                  helperText={error ?? ' '}
                  autoComplete="one-time-code"
                  slotProps={{ htmlInput: { inputMode: 'numeric', maxLength: 6 } }}
                />
                <Box sx={{ mt: 1 }}>
                  <Button variant="contained" onClick={confirm} disabled={!/^\d{6}$/.test(code.trim())}>
                    {translate('app.second_factor_confirm')}
                  </Button>
                </Box>
              </Box>
            ) : (
              <Button variant="contained" onClick={start}>
                {translate('app.second_factor_start')}
              </Button>
            )}
          </>
        )}
      </CardContent>
    </Card>
  );
};
