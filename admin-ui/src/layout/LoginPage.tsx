import { Box } from '@mui/material';
import { Login, LoginForm, useTranslate } from 'react-admin';

/** react-admin's sign-in form, with the way to the public case lookup for people without an account. */
export const LoginPage = () => {
  const translate = useTranslate();
  return (
    <Login>
      <LoginForm />
      <Box sx={{ textAlign: 'center', pb: 2 }}>
        <a href="#/public">{translate('app.public_lookup')}</a>
      </Box>
    </Login>
  );
};
