import {
  AppShell,
  Avatar,
  Badge,
  Burger,
  Group,
  Menu,
  NavLink,
  Stack,
  Text,
  UnstyledButton,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconBan,
  IconBolt,
  IconChartBar,
  IconChevronDown,
  IconGauge,
  IconHash,
  IconLogout,
  IconMessageSearch,
  IconMessages,
  IconPhoneCall,
  IconPhoneIncoming,
  IconReportAnalytics,
  IconSitemap,
  IconSpeakerphone,
  IconTags,
  IconUsers,
  IconWebhook,
} from '@tabler/icons-react';
import { Link, Outlet, useNavigate, useRouterState } from '@tanstack/react-router';
import { type ReactNode, useEffect } from 'react';
import { onSignedOut } from '../api/client';
import { GroupSwitcher } from '../features/groups/GroupSwitcher';
import { useCurrentGroup } from '../features/groups/queries';
import { useSignOut } from '../features/session/queries';

/** The sections of the console. */
const SECTIONS: {
  to:
    | '/'
    | '/calls'
    | '/flows'
    | '/numbers'
    | '/webhooks'
    | '/texts'
    | '/broadcasts'
    | '/reports'
    | '/usage'
    | '/transcripts';
  label: string;
  icon: ReactNode;
}[] = [
  { to: '/', label: 'Dashboard', icon: <IconChartBar size={18} aria-hidden /> },
  { to: '/calls', label: 'Calls', icon: <IconPhoneIncoming size={18} aria-hidden /> },
  { to: '/transcripts', label: 'Transcripts', icon: <IconMessageSearch size={18} aria-hidden /> },
  { to: '/texts', label: 'Texts', icon: <IconMessages size={18} aria-hidden /> },
  { to: '/broadcasts', label: 'Broadcasts', icon: <IconSpeakerphone size={18} aria-hidden /> },
  { to: '/reports', label: 'Reports', icon: <IconReportAnalytics size={18} aria-hidden /> },
  { to: '/flows', label: 'Call flows', icon: <IconSitemap size={18} aria-hidden /> },
  { to: '/numbers', label: 'Numbers', icon: <IconHash size={18} aria-hidden /> },
  { to: '/webhooks', label: 'Webhooks', icon: <IconWebhook size={18} aria-hidden /> },
  { to: '/usage', label: 'Usage', icon: <IconGauge size={18} aria-hidden /> },
];

/** The People and settings group of the nav (web/src/features/people). */
const SETTINGS: {
  to: '/users' | '/blacklist' | '/sources' | '/call-actions';
  label: string;
  icon: ReactNode;
}[] = [
  { to: '/users', label: 'Users', icon: <IconUsers size={18} aria-hidden /> },
  { to: '/call-actions', label: 'Call actions', icon: <IconBolt size={18} aria-hidden /> },
  { to: '/sources', label: 'Sources and tags', icon: <IconTags size={18} aria-hidden /> },
  { to: '/blacklist', label: 'Blacklist', icon: <IconBan size={18} aria-hidden /> },
];

function UserMenu() {
  const { me } = useCurrentGroup();
  const signOut = useSignOut();
  const navigate = useNavigate();
  const initials = `${me.first_name[0] ?? ''}${me.last_name[0] ?? ''}`.toUpperCase() || '?';
  return (
    <Menu position="bottom-end" width={240}>
      <Menu.Target>
        <UnstyledButton title="Your account">
          <Group gap={8} wrap="nowrap">
            <Avatar color="switchboard" radius="xl" size={34} alt="" aria-hidden>
              {initials}
            </Avatar>
            <Stack gap={0} visibleFrom="md">
              <Text size="sm" fw={600} lh={1.2}>
                {me.first_name} {me.last_name}
              </Text>
              <Text size="xs" c="dimmed" lh={1.2}>
                {me.role_name}
              </Text>
            </Stack>
            <IconChevronDown size={14} aria-hidden />
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{me.user_email}</Menu.Label>
        <Menu.Item
          leftSection={<IconLogout size={16} aria-hidden />}
          onClick={() =>
            signOut.mutate(undefined, { onSettled: () => navigate({ to: '/sign-in', search: {} }) })
          }
        >
          Sign out
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

export function AppLayout() {
  const [opened, { toggle, close }] = useDisclosure(false);
  const { me } = useCurrentGroup();
  const navigate = useNavigate();
  const pathname = useRouterState({ select: (state) => state.location.pathname });
  const href = useRouterState({ select: (state) => state.location.href });

  // A session that ended (idle, signed out elsewhere, deactivated) sends the user to sign in again.
  useEffect(
    () => onSignedOut(() => void navigate({ to: '/sign-in', search: { redirect: href } })),
    [navigate, href],
  );

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 232, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding={{ base: 'sm', sm: 'lg' }}
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Menu" />
            <Link
              to="/"
              style={{ textDecoration: 'none', color: 'inherit' }}
              aria-label="Switchboard: dashboard"
            >
              <Group gap={8} wrap="nowrap">
                <IconPhoneCall size={24} color="var(--mantine-color-switchboard-7)" aria-hidden />
                <Text fw={700} fz="lg" visibleFrom="xs">
                  Switchboard
                </Text>
              </Group>
            </Link>
            <GroupSwitcherSlot />
          </Group>
          <Group gap="sm" wrap="nowrap">
            {!me.can_edit && (
              <Badge
                color="gray"
                variant="light"
                visibleFrom="sm"
                title="You can look at everything and change nothing"
              >
                Read-only
              </Badge>
            )}
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" aria-label="Sections">
        <Stack gap={4}>
          <div className="sb-mobile-only">
            <GroupSwitcher width="100%" />
          </div>
          {SECTIONS.map((section) => (
            <NavLink
              key={section.to}
              component={Link}
              to={section.to}
              label={section.label}
              leftSection={section.icon}
              active={section.to === '/' ? pathname === '/' : pathname.startsWith(section.to)}
              variant="filled"
              style={{ borderRadius: 8 }}
              onClick={close}
            />
          ))}
          <Text size="xs" fw={700} c="dimmed" tt="uppercase" mt="md" mb={2} px="sm" id="nav-people">
            People and settings
          </Text>
          <Stack gap={4} role="group" aria-labelledby="nav-people">
            {SETTINGS.map((section) => (
              <NavLink
                key={section.to}
                component={Link}
                to={section.to}
                label={section.label}
                leftSection={section.icon}
                active={pathname.startsWith(section.to)}
                variant="filled"
                style={{ borderRadius: 8 }}
                onClick={close}
              />
            ))}
          </Stack>
        </Stack>
      </AppShell.Navbar>
      <AppShell.Main className="sb-main">
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}

/** The group switcher sits in the header from tablet width up, in the menu on phones. */
function GroupSwitcherSlot() {
  return (
    <div className="sb-desktop-only">
      <GroupSwitcher />
    </div>
  );
}
