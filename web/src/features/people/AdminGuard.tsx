import { Tooltip } from '@mantine/core';
import type { ReactElement } from 'react';
import { BLOCKED_PROPS } from '../../components/WriteGuard';

export const ADMIN_REASON = 'Only Admin users manage users and their permissions.';

/** Like WriteGuard, for what only an Admin may do (users and permissions): blocked, and says why. */
export function AdminGuard({
  isAdmin,
  children,
}: {
  isAdmin: boolean;
  children: (blocked: boolean, props: Partial<typeof BLOCKED_PROPS>) => ReactElement;
}) {
  if (isAdmin) return children(false, {});
  return (
    <Tooltip
      label={ADMIN_REASON}
      multiline
      w={240}
      withArrow
      events={{ hover: true, focus: true, touch: true }}
    >
      {children(true, BLOCKED_PROPS)}
    </Tooltip>
  );
}
