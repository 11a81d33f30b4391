import { Card, CardContent, Chip, Stack, Typography } from '@mui/material';
import { Title, useGetIdentity, useTranslate } from 'react-admin';
import type { Me } from './authProvider';

/** The landing page: who is signed in, for which organisation, and what they may reach. */
export const Dashboard = () => {
  const { data, isPending } = useGetIdentity();
  const translate = useTranslate();
  if (isPending || !data) return null;
  const me = data as unknown as Me & { fullName: string };
  return (
    <Card sx={{ mt: 2 }}>
      <Title title="ra.page.dashboard" />
      <CardContent>
        <Typography variant="h5" gutterBottom>
          {translate('app.welcome', { name: me.displayName })}
        </Typography>
        <Stack spacing={1}>
          <Typography>
            {translate('app.organisation')}：{me.organisationName}
          </Typography>
          <Typography>
            {translate('app.role')}：{translate(`roles.${me.role}`)}
          </Typography>
          <Typography>
            {translate('app.scope')}：{translate(`app.scope_kind.${me.scope.kind}`)}
          </Typography>
          <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: 'wrap' }} aria-label={translate('app.permissions')}>
            {me.permissions.map((p) => (
              <Chip key={p} label={p} size="small" />
            ))}
          </Stack>
        </Stack>
      </CardContent>
    </Card>
  );
};
