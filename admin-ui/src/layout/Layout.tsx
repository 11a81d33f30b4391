import KeyIcon from '@mui/icons-material/Key';
import PhonelinkLockIcon from '@mui/icons-material/PhonelinkLock';
import SmsIcon from '@mui/icons-material/Sms';
import type { ReactNode } from 'react';
import { AppBar, Layout as RaLayout, Logout, MenuItemLink, UserMenu, useGetIdentity } from 'react-admin';
import { Navigate, useLocation } from 'react-router-dom';
import { AppMenu } from '../inbox/InboxMenu';

const MyUserMenu = () => (
  <UserMenu>
    <MenuItemLink to="/account/password" primaryText="app.change_password" leftIcon={<KeyIcon />} />
    <MenuItemLink to="/account/second-factor" primaryText="app.second_factor" leftIcon={<PhonelinkLockIcon />} />
    <MenuItemLink to="/account/sms" primaryText="sms.my_subscriptions" leftIcon={<SmsIcon />} />
    <Logout />
  </UserMenu>
);

// react-admin's AppBar shows the language menu by itself when more than one locale is offered.
const MyAppBar = () => <AppBar userMenu={<MyUserMenu />} />;

/**
 * An account whose password someone else set (the first administrator, a reset) or whose
 * password expired may do nothing but change it; then an administrator without a second factor
 * nothing but enrol one. The API refuses everything else, and the UI goes straight to the form.
 */
const PasswordChangeGate = ({ children }: { children: ReactNode }) => {
  const { identity } = useGetIdentity();
  const location = useLocation();
  if (identity?.mustChangePassword && location.pathname !== '/account/password') return <Navigate to="/account/password" replace />;
  if (!identity?.mustChangePassword && identity?.secondFactorRequired && !identity.secondFactorEnrolled && location.pathname !== '/account/second-factor') {
    return <Navigate to="/account/second-factor" replace />;
  }
  return <>{children}</>;
};

export const Layout = ({ children }: { children: ReactNode }) => (
  <RaLayout appBar={MyAppBar} menu={AppMenu}>
    <PasswordChangeGate>{children}</PasswordChangeGate>
  </RaLayout>
);
