import { Alert, Button, FileInput, Group, Image, Loader, Modal, Stack, Text } from '@mantine/core';
import { IconAlertTriangle, IconPhoto } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { logoFileUrl, logoQuery, useLogoMutations } from './queries';

const MAX_LOGO_KB = 512;

/**
 * The logo the group's PDF reports carry beside its name: its own, or its nearest ancestor's.
 * Upload a PNG or JPEG (the server checks the bytes and the size), see it, or remove it.
 */
export function BrandLogoDialog({
  groupId,
  groupName,
  canEdit,
  onClose,
}: {
  groupId: number;
  groupName: string;
  canEdit: boolean;
  onClose: () => void;
}) {
  const logo = useQuery(logoQuery(groupId));
  const { upload, remove } = useLogoMutations(groupId);
  const [file, setFile] = useState<File | null>(null);
  const current = logo.data;
  const own = current && !current.inherited;
  const error = upload.error ?? remove.error;
  return (
    <Modal opened onClose={onClose} centered title="Brand logo" closeButtonProps={{ 'aria-label': 'Close' }}>
      <Stack>
        <Text size="sm" c="dimmed">
          PDF reports of {groupName} show this logo beside its name. A PNG or JPEG of at most {MAX_LOGO_KB}{' '}
          kB; groups without their own use the nearest group above that has one.
        </Text>
        {logo.isPending ? (
          <Loader size="sm" aria-label="Loading the logo" />
        ) : current ? (
          <Stack gap={4} data-testid="logo-preview">
            <Image
              src={logoFileUrl(groupId, current.updated_at)}
              alt={`Logo of ${groupName}`}
              h={64}
              w="auto"
              fit="contain"
            />
            <Text size="xs" c="dimmed">
              {own ? 'This group’s own logo' : 'Inherited from a group above'} ·{' '}
              {Math.ceil(current.bytes / 1024)} kB
            </Text>
          </Stack>
        ) : (
          <Text size="sm">No logo yet: reports show the group’s name only.</Text>
        )}
        {canEdit && (
          <form
            onSubmit={(event) => {
              event.preventDefault();
              if (file) upload.mutate(file, { onSuccess: () => setFile(null) });
            }}
          >
            <Stack gap="sm">
              <FileInput
                label={own ? 'Replace with' : 'Upload a logo'}
                description="PNG or JPEG"
                accept="image/png,image/jpeg"
                value={file}
                onChange={setFile}
                leftSection={<IconPhoto size={16} aria-hidden />}
                clearable
              />
              {error && (
                <Alert color="red" role="alert" icon={<IconAlertTriangle />}>
                  {error.message}
                </Alert>
              )}
              <Group justify="flex-end">
                {own && (
                  <Button
                    variant="default"
                    color="red"
                    onClick={() => remove.mutate()}
                    loading={remove.isPending}
                  >
                    Remove logo
                  </Button>
                )}
                <Button type="submit" disabled={!file} loading={upload.isPending}>
                  Upload
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Stack>
    </Modal>
  );
}
