import KeyIcon from '@mui/icons-material/Key';
import SmsIcon from '@mui/icons-material/Sms';
import type { ReactNode } from 'react';
import { AppBar, Layout as RaLayout, Logout, MenuItemLink, UserMenu } from 'react-admin';
import { AppMenu } from '../inbox/InboxMenu';

const MyUserMenu = () => (
  <UserMenu>
    <MenuItemLink to="/account/password" primaryText="app.change_password" leftIcon={<KeyIcon />} />
    <MenuItemLink to="/account/sms" primaryText="sms.my_subscriptions" leftIcon={<SmsIcon />} />
    <Logout />
  </UserMenu>
);

// react-admin's AppBar shows the language menu by itself when more than one locale is offered.
const MyAppBar = () => <AppBar userMenu={<MyUserMenu />} />;

export const Layout = ({ children }: { children: ReactNode }) => <RaLayout appBar={MyAppBar} menu={AppMenu}>{children}</RaLayout>;
