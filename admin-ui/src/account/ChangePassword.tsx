import { Alert, Card, CardContent } from '@mui/material';
import { Form, PasswordInput, SaveButton, Title, required, useGetIdentity, useNotify, useTranslate } from 'react-admin';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, checkPassword } from '../../../lib/password-policy';
import { apiFetch } from '../api';
import { forgetIdentity } from '../authProvider';

interface Values {
  currentPassword: string;
  newPassword: string;
  confirmPassword: string;
}

export const ChangePassword = () => {
  const notify = useNotify();
  const translate = useTranslate();
  const { identity } = useGetIdentity();
  const submit = async (values: Partial<Values>) => {
    if (values.newPassword !== values.confirmPassword) return { confirmPassword: translate('app.password_mismatch') };
    // The server's own policy (lib/password-policy.ts), checked here first to word it in the user's language.
    const problem = checkPassword(values.newPassword ?? '', [identity?.username as string, identity?.fullName as string].filter(Boolean));
    if (problem) return { newPassword: translate(`app.password_policy.${problem.code}`, { min: PASSWORD_MIN_LENGTH, max: PASSWORD_MAX_LENGTH }) };
    try {
      await apiFetch('/api/auth/password', {
        method: 'POST',
        body: JSON.stringify({ currentPassword: values.currentPassword, newPassword: values.newPassword }),
      });
      notify('app.password_changed', { type: 'success' });
      forgetIdentity();
      window.location.assign('/');
      return undefined;
    } catch (error) {
      // Field problems from the API (e.g. the policy, or a wrong current password) go on the inputs.
      return (error as { body?: { errors?: Record<string, string> } }).body?.errors ?? { currentPassword: (error as Error).message };
    }
  };
  return (
    <Card sx={{ mt: 2, maxWidth: 480 }}>
      <Title title="app.change_password" />
      <CardContent>
        {identity?.mustChangePassword ? (
          <Alert severity="warning" sx={{ mb: 2 }}>
            {translate(identity?.passwordChangeReason === 'expired' ? 'app.password_expired' : 'app.password_change_required')}
          </Alert>
        ) : null}
        <Form onSubmit={submit as never}>
          <PasswordInput source="currentPassword" label="app.current_password" validate={required()} fullWidth />
          <PasswordInput source="newPassword" label="app.new_password" validate={required()} fullWidth />
          <PasswordInput source="confirmPassword" label="app.confirm_password" validate={required()} fullWidth />
          <SaveButton alwaysEnable label="app.change_password" />
        </Form>
      </CardContent>
    </Card>
  );
};
