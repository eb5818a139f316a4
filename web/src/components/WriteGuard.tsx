import { Tooltip } from '@mantine/core';
import type { ReactElement } from 'react';

export const READ_ONLY_REASON = 'Your role is read-only: you can see everything here but not change it.';

/**
 * A blocked control stays focusable (so keyboard and screen-reader users meet the reason too) but
 * looks disabled; its click handler is left off (`onClick={blocked ? undefined : ...}`).
 */
export const BLOCKED_PROPS = { 'data-disabled': true, 'aria-disabled': true } as const;

/**
 * Wraps a control that changes data: for a ReadOnly user it is blocked and says why, in a tooltip
 * on hover and on focus.
 */
export function WriteGuard({
  canEdit,
  children,
}: {
  canEdit: boolean;
  children: (blocked: boolean) => ReactElement;
}) {
  if (canEdit) return children(false);
  return (
    <Tooltip
      label={READ_ONLY_REASON}
      multiline
      w={260}
      withArrow
      events={{ hover: true, focus: true, touch: true }}
    >
      {children(true)}
    </Tooltip>
  );
}
