import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Loader,
  Menu,
  Modal,
  SegmentedControl,
  Stack,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import {
  IconCheck,
  IconDots,
  IconInfoCircle,
  IconKey,
  IconPencil,
  IconUserOff,
  IconUserPlus,
  IconX,
} from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { roleNames } from '../../../../src/modules/auth/principal.js';
import { ApiError } from '../../api/client';
import type { GroupUser } from '../../api/types';
import { subtreeOf } from '../flows/queries';
import { useCurrentGroup } from '../groups/queries';
import { AdminGuard } from './AdminGuard';
import { groupUsersQuery, useUserMutations } from './queries';
import { UserForm } from './UserForm';

const ROLE_COLOURS: Record<number, string> = { 1: 'grape', 2: 'blue', 3: 'gray' };

/** What each role may do, as the API enforces it (GET /v2/user/permissions: can_edit, can_manage_users). */
const ROLE_ROWS: { role: 1 | 2 | 3; see: boolean; edit: boolean; manage: boolean }[] = [
  { role: 1, see: true, edit: true, manage: true },
  { role: 2, see: true, edit: true, manage: false },
  { role: 3, see: true, edit: false, manage: false },
];

export const roleLabel = (roleId: number) => roleNames[roleId as 1 | 2 | 3] ?? `role ${roleId}`;

function Yes({ value, label }: { value: boolean; label: string }) {
  return value ? (
    <IconCheck size={18} color="var(--mantine-color-teal-7)" aria-label={`${label}: yes`} />
  ) : (
    <IconX size={18} color="var(--mantine-color-gray-6)" aria-label={`${label}: no`} />
  );
}

/** The users of the group and the groups below it: add, edit role and group, reset a password, deactivate. */
export function UsersPage() {
  const { groupId, group, groups, me } = useCurrentGroup();
  const subtree = useMemo(() => subtreeOf(groups, groupId), [groups, groupId]);
  const users = useQuery(groupUsersQuery);
  const [editing, setEditing] = useState<{ user?: GroupUser; password?: boolean } | null>(null);
  const [deactivating, setDeactivating] = useState<GroupUser | null>(null);
  const isAdmin = me.can_manage_users;
  // Mantine's md breakpoint: one status badge, in its column or under the role
  const isPhone = useMediaQuery('(max-width: 62em)');
  const groupName = (id: number) => groups.find((g) => g.group_id === id)?.group_name ?? `group ${id}`;
  const rows = (users.data ?? [])
    .filter((g) => subtree.has(g.group_id))
    .flatMap((g) => g.users)
    .sort(
      (a, b) =>
        Number(a.user_status !== 'active') - Number(b.user_status !== 'active') ||
        `${a.last_name} ${a.first_name}`.localeCompare(`${b.last_name} ${b.first_name}`),
    );

  return (
    <Stack gap="md" maw={1400} mx="auto">
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <div>
          <Title order={1} size="h2">
            Users
          </Title>
          <Text c="dimmed" size="sm">
            The people who sign in to {group?.group_name} and the groups below it, and what their role lets
            them do
          </Text>
        </div>
        <AdminGuard isAdmin={isAdmin}>
          {(blocked, props) => (
            <Button
              leftSection={<IconUserPlus size={16} aria-hidden />}
              onClick={blocked ? undefined : () => setEditing({})}
              {...props}
            >
              Add user
            </Button>
          )}
        </AdminGuard>
      </Group>

      {users.isPending && <Loader aria-label="Loading users" />}
      {users.isError && (
        <Alert color="red" role="alert" title="The users could not be loaded">
          {users.error.message}
        </Alert>
      )}
      {users.data && rows.length === 0 && (
        <Alert variant="light" icon={<IconInfoCircle />} title="No users in this group">
          Add one to let a colleague sign in here; they see this group and the groups below it.
        </Alert>
      )}
      {rows.length > 0 && (
        <Card p={0}>
          {/* on a phone the e-mail and group go under the name and the status under the role, so the menu stays in view */}
          <Table.ScrollContainer minWidth={320}>
            <Table verticalSpacing="sm" highlightOnHover data-testid="user-list">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th visibleFrom="md">E-mail</Table.Th>
                  <Table.Th>{isPhone ? 'Role and status' : 'Role'}</Table.Th>
                  <Table.Th visibleFrom="md">Group</Table.Th>
                  {!isPhone && <Table.Th>Status</Table.Th>}
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((user) => {
                  const name = `${user.first_name} ${user.last_name}`;
                  const isMe = user.ct_user_id === me.ct_user_id;
                  const status = (
                    <Badge
                      variant={user.user_status === 'active' ? 'light' : 'outline'}
                      color={user.user_status === 'active' ? 'teal' : 'gray'}
                      radius="sm"
                      style={{ overflow: 'visible', flexShrink: 0 }}
                      styles={{ label: { overflow: 'visible' } }}
                    >
                      {user.user_status === 'active' ? 'Active' : 'Deactivated'}
                    </Badge>
                  );
                  return (
                    <Table.Tr key={user.ct_user_id} data-user={user.user_email}>
                      <Table.Td>
                        <Text size="sm" fw={600}>
                          {name}
                          {isMe && (
                            <Text span c="dimmed" size="xs" fw={400}>
                              {' '}
                              (you)
                            </Text>
                          )}
                        </Text>
                        {user.user_title && (
                          <Text size="xs" c="dimmed">
                            {user.user_title}
                          </Text>
                        )}
                        <Text size="xs" hiddenFrom="md" style={{ overflowWrap: 'anywhere' }}>
                          {user.user_email}
                        </Text>
                        <Text size="xs" c="dimmed" hiddenFrom="md">
                          {groupName(user.group_id)}
                        </Text>
                      </Table.Td>
                      <Table.Td visibleFrom="md">
                        <Text size="sm">{user.user_email}</Text>
                      </Table.Td>
                      <Table.Td>
                        <Badge
                          variant="light"
                          color={ROLE_COLOURS[user.role_id]}
                          radius="sm"
                          style={{ overflow: 'visible', flexShrink: 0 }}
                          styles={{ label: { overflow: 'visible' } }}
                        >
                          {roleLabel(user.role_id)}
                        </Badge>
                        {isPhone && <div style={{ marginTop: 6 }}>{status}</div>}
                      </Table.Td>
                      <Table.Td visibleFrom="md">
                        <Text size="sm">{groupName(user.group_id)}</Text>
                      </Table.Td>
                      {!isPhone && <Table.Td>{status}</Table.Td>}
                      <Table.Td ta="right">
                        <UserMenu
                          user={user}
                          isAdmin={isAdmin}
                          isMe={isMe}
                          onEdit={() => setEditing({ user })}
                          onPassword={() => setEditing({ user, password: true })}
                          onDeactivate={() => setDeactivating(user)}
                        />
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Card>
      )}

      <RolesCard />

      {editing && (
        <UserForm
          key={`${editing.user?.ct_user_id ?? 'new'}-${editing.password ? 'password' : 'user'}`}
          user={editing.user}
          passwordOnly={editing.password ?? false}
          defaultGroupId={groupId}
          onClose={() => setEditing(null)}
        />
      )}
      {deactivating && <DeactivateDialog user={deactivating} onClose={() => setDeactivating(null)} />}
    </Stack>
  );
}

function UserMenu({
  user,
  isAdmin,
  isMe,
  onEdit,
  onPassword,
  onDeactivate,
}: {
  user: GroupUser;
  isAdmin: boolean;
  isMe: boolean;
  onEdit: () => void;
  onPassword: () => void;
  onDeactivate: () => void;
}) {
  const { update } = useUserMutations();
  const name = `${user.first_name} ${user.last_name}`;
  return (
    <AdminGuard isAdmin={isAdmin}>
      {(blocked, props) =>
        blocked ? (
          <Button size="xs" variant="subtle" {...props} aria-label={`Change ${name}`}>
            <IconDots size={16} aria-hidden />
          </Button>
        ) : (
          <Menu position="bottom-end" width={220}>
            <Menu.Target>
              <Button size="xs" variant="subtle" aria-label={`Change ${name}`}>
                <IconDots size={16} aria-hidden />
              </Button>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Item leftSection={<IconPencil size={16} aria-hidden />} onClick={onEdit}>
                Edit role, group and details
              </Menu.Item>
              <Menu.Item leftSection={<IconKey size={16} aria-hidden />} onClick={onPassword}>
                Set a new password
              </Menu.Item>
              {user.user_status === 'active' ? (
                <Menu.Item
                  color="red"
                  leftSection={<IconUserOff size={16} aria-hidden />}
                  onClick={onDeactivate}
                  disabled={isMe}
                >
                  {isMe ? 'You cannot deactivate yourself' : 'Deactivate'}
                </Menu.Item>
              ) : (
                <Menu.Item
                  leftSection={<IconCheck size={16} aria-hidden />}
                  onClick={() =>
                    update.mutate({ change: { ct_user_id: user.ct_user_id, user_status: 'active' } })
                  }
                >
                  Reactivate
                </Menu.Item>
              )}
            </Menu.Dropdown>
          </Menu>
        )
      }
    </AdminGuard>
  );
}

function DeactivateDialog({ user, onClose }: { user: GroupUser; onClose: () => void }) {
  const { update } = useUserMutations();
  const name = `${user.first_name} ${user.last_name}`;
  return (
    <Modal
      opened
      onClose={onClose}
      title={`Deactivate ${name}?`}
      centered
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      <Stack>
        <Text size="sm">
          {name} is signed out everywhere at once: their console sessions and API tokens stop working with
          their next request, and they cannot sign in again until an Admin reactivates them. Their calls, tags
          and notes stay.
        </Text>
        {update.error && (
          <Alert color="red" role="alert" title="Not deactivated">
            {update.error instanceof ApiError ? update.error.message : String(update.error)}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            color="red"
            loading={update.isPending}
            onClick={() =>
              update.mutate(
                { change: { ct_user_id: user.ct_user_id, user_status: 'inactive' } },
                { onSuccess: onClose },
              )
            }
          >
            Deactivate {name}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** The three roles of V2 and what each may do; recordings are a per-user switch on top. */
function RolesCard() {
  const [view, setView] = useState('table');
  return (
    <Card p="md">
      <Group justify="space-between" mb="xs" wrap="wrap">
        <div>
          <Title order={2} size="h4">
            Roles and permissions
          </Title>
          <Text size="sm" c="dimmed">
            Every role sees its own group and the groups below it. Listening to recordings is a separate
            switch on each user.
          </Text>
        </div>
        <SegmentedControl
          size="xs"
          value={view}
          onChange={setView}
          aria-label="Show roles as"
          data={[
            { value: 'table', label: 'Table' },
            { value: 'words', label: 'In words' },
          ]}
        />
      </Group>
      {view === 'table' ? (
        <Table.ScrollContainer minWidth={520}>
          <Table data-testid="roles">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Role</Table.Th>
                <Table.Th>See calls, flows and reports</Table.Th>
                <Table.Th>Create, change and delete</Table.Th>
                <Table.Th>Manage groups, users and permissions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {ROLE_ROWS.map((row) => (
                <Table.Tr key={row.role}>
                  <Table.Td>
                    <Badge variant="light" color={ROLE_COLOURS[row.role]} radius="sm">
                      {roleLabel(row.role)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Yes value={row.see} label="See" />
                  </Table.Td>
                  <Table.Td>
                    <Yes value={row.edit} label="Change" />
                  </Table.Td>
                  <Table.Td>
                    <Yes value={row.manage} label="Manage users" />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : (
        <Stack gap={6}>
          <Text size="sm">
            <b>Admin</b>: everything, including groups, users and their permissions. An Admin cannot lower
            their own role or deactivate themselves.
          </Text>
          <Text size="sm">
            <b>Standard</b>: builds call flows, reserves numbers, tags calls and sets up call actions,
            webhooks, custom sources and the blacklist.
          </Text>
          <Text size="sm">
            <b>ReadOnly</b>: sees everything in its groups and changes nothing.
          </Text>
        </Stack>
      )}
    </Card>
  );
}
