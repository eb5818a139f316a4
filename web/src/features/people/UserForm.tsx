import {
  Alert,
  Button,
  Group,
  Modal,
  PasswordInput,
  Select,
  Stack,
  Switch,
  Text,
  TextInput,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { UserEntry } from '../../../../src/modules/users/users.schemas.js';
import { ApiError } from '../../api/client';
import type { GroupUser } from '../../api/types';
import { fieldErrors } from '../../lib/schema-check';
import { useCurrentGroup } from '../groups/queries';
import { permissionsQuery, type UserChange, useUserMutations } from './queries';

interface Fields {
  first_name: string;
  last_name: string;
  user_email: string;
  user_title: string;
  password: string;
  role_id: 1 | 2 | 3;
  group_id: number;
  access_audio: boolean;
}

type Field = keyof Fields;
const ROLE_OPTIONS = [
  { value: '1', label: 'Admin: everything, including users' },
  { value: '2', label: 'Standard: builds and changes, no users' },
  { value: '3', label: 'ReadOnly: sees, changes nothing' },
];

/**
 * Add a user, edit one (role, group, name, e-mail, recordings), or set a new password. Fields are
 * checked while typing against the API's own schema (Create User in Group); what the API then
 * refuses (an e-mail in use, your own role) is shown at the top.
 */
export function UserForm({
  user,
  passwordOnly,
  defaultGroupId,
  onClose,
}: {
  user?: GroupUser | undefined;
  passwordOnly: boolean;
  defaultGroupId: number;
  onClose: () => void;
}) {
  const { groups, me } = useCurrentGroup();
  const permissions = useQuery({ ...permissionsQuery(user?.ct_user_id ?? 0), enabled: user !== undefined });
  const { create, update } = useUserMutations();
  const [fields, setFields] = useState<Fields>({
    first_name: user?.first_name ?? '',
    last_name: user?.last_name ?? '',
    user_email: user?.user_email ?? '',
    user_title: user?.user_title ?? '',
    password: '',
    role_id: (user?.role_id as 1 | 2 | 3 | undefined) ?? 2,
    group_id: user?.group_id ?? defaultGroupId,
    access_audio: true,
  });
  const [audioTouched, setAudioTouched] = useState(false);
  const [touched, setTouched] = useState<Set<Field>>(new Set());
  const accessAudio = audioTouched ? fields.access_audio : (permissions.data?.access_audio ?? true);
  const mutation = user ? update : create;
  const apiError = mutation.error instanceof ApiError ? mutation.error : undefined;

  // a new user needs every field; an edit checks what it sends (an empty password is not sent)
  const candidate = {
    group_id: fields.group_id,
    user_email: fields.user_email.trim(),
    password: user && fields.password === '' ? 'unchanged' : fields.password,
    first_name: fields.first_name.trim(),
    last_name: fields.last_name.trim(),
    ...(fields.user_title.trim() ? { user_title: fields.user_title.trim() } : {}),
    role_id: fields.role_id,
  };
  const local = fieldErrors<Field>(UserEntry, candidate);
  if (passwordOnly && fields.password === '') local.password = 'Type the new password';
  const shown: Field[] = passwordOnly
    ? ['password']
    : ['first_name', 'last_name', 'user_email', 'user_title', 'password', 'role_id', 'group_id'];
  const errorOf = (field: Field) =>
    (touched.has(field) ? local[field] : undefined) ?? apiError?.errorFor(field);
  const set = <K extends Field>(field: K, value: Fields[K]) => {
    setFields((previous) => ({ ...previous, [field]: value }));
    setTouched((previous) => new Set(previous).add(field));
  };
  const isSelf = user?.ct_user_id === me.ct_user_id;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(new Set(shown));
    if (shown.some((field) => local[field])) return;
    if (!user) {
      create.mutate(
        {
          ...candidate,
          ...(fields.user_title.trim() ? { user_title: fields.user_title.trim() } : {}),
          access_audio: accessAudio,
        },
        { onSuccess: onClose },
      );
      return;
    }
    const change: UserChange = { ct_user_id: user.ct_user_id };
    if (passwordOnly) change.password = fields.password;
    else {
      if (candidate.first_name !== user.first_name) change.first_name = candidate.first_name;
      if (candidate.last_name !== user.last_name) change.last_name = candidate.last_name;
      if (candidate.user_email !== user.user_email) change.user_email = candidate.user_email;
      if (fields.user_title.trim() !== (user.user_title ?? '')) change.user_title = fields.user_title.trim();
      if (fields.role_id !== user.role_id) change.role_id = fields.role_id;
      if (fields.group_id !== user.group_id) change.group_id = fields.group_id;
      if (fields.password !== '') change.password = fields.password;
    }
    const audioChanged = !passwordOnly && audioTouched && accessAudio !== permissions.data?.access_audio;
    update.mutate({ change, ...(audioChanged ? { accessAudio } : {}) }, { onSuccess: onClose });
  };

  const name = user ? `${user.first_name} ${user.last_name}` : '';
  return (
    <Modal
      opened
      onClose={onClose}
      centered
      size="lg"
      closeButtonProps={{ 'aria-label': 'Close' }}
      title={passwordOnly ? `New password for ${name}` : user ? `Edit ${name}` : 'Add a user'}
    >
      <form onSubmit={submit} noValidate>
        <Stack>
          {apiError && !apiError.concernsAny(shown) && (
            <Alert color="red" role="alert" title="Not saved">
              {apiError.message}
            </Alert>
          )}
          {!passwordOnly && (
            <>
              <Group grow align="flex-start">
                <TextInput
                  label="First name"
                  required
                  value={fields.first_name}
                  onChange={(event) => set('first_name', event.currentTarget.value)}
                  error={errorOf('first_name')}
                />
                <TextInput
                  label="Last name"
                  required
                  value={fields.last_name}
                  onChange={(event) => set('last_name', event.currentTarget.value)}
                  error={errorOf('last_name')}
                />
              </Group>
              <TextInput
                label="E-mail"
                description="They sign in with it"
                required
                type="email"
                value={fields.user_email}
                onChange={(event) => set('user_email', event.currentTarget.value)}
                error={errorOf('user_email')}
              />
              <TextInput
                label="Title"
                value={fields.user_title}
                onChange={(event) => set('user_title', event.currentTarget.value)}
                error={errorOf('user_title')}
              />
              <Group grow align="flex-start">
                <Select
                  label="Role"
                  data={ROLE_OPTIONS}
                  value={String(fields.role_id)}
                  onChange={(value) => set('role_id', Number(value ?? 2) as 1 | 2 | 3)}
                  allowDeselect={false}
                  disabled={isSelf}
                  description={isSelf ? 'You cannot change your own role' : undefined}
                  error={errorOf('role_id')}
                />
                <Select
                  label="Group"
                  description="They see this group and the groups below it"
                  data={groups.map((g) => ({
                    value: String(g.group_id),
                    label: `${'  '.repeat(g.depth)}${g.group_name}`,
                  }))}
                  value={String(fields.group_id)}
                  onChange={(value) => set('group_id', Number(value ?? defaultGroupId))}
                  allowDeselect={false}
                  searchable
                  error={errorOf('group_id')}
                />
              </Group>
              <Switch
                label="May listen to and download recordings"
                checked={accessAudio}
                disabled={user !== undefined && permissions.isPending}
                onChange={(event) => {
                  // read now: React clears currentTarget once the event has been handled, before
                  // the state updater below runs (reading it there threw and took the page down)
                  const { checked } = event.currentTarget;
                  setAudioTouched(true);
                  setFields((previous) => ({ ...previous, access_audio: checked }));
                }}
              />
            </>
          )}
          {(passwordOnly || !user) && (
            <PasswordInput
              label={user ? 'New password' : 'Password'}
              description={
                user
                  ? 'Their console sessions end at once; tell them the new password yourself.'
                  : 'At least 8 characters; give it to them yourself, Switchboard sends no invitation e-mail.'
              }
              required
              autoComplete="new-password"
              value={fields.password}
              onChange={(event) => set('password', event.currentTarget.value)}
              error={errorOf('password')}
            />
          )}
          {user && !passwordOnly && (
            <Text size="xs" c="dimmed">
              A new role or group applies from their next request.
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={mutation.isPending}>
              {passwordOnly ? 'Set password' : user ? 'Save' : 'Add user'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
