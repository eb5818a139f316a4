import { Badge } from '@mantine/core';

const COLORS: Record<string, string> = {
  ANSWERED: 'teal',
  VOICEMAIL: 'blue',
  'NO ANSWER': 'orange',
  BUSY: 'orange',
  ABANDONED: 'yellow',
  FAILED: 'red',
  BLOCKED: 'gray',
  'IN PROGRESS': 'violet',
};

export const dispositionLabel = (disposition: string) =>
  disposition.toLowerCase().replace(/^\w/, (letter) => letter.toUpperCase());

export function DispositionBadge({ disposition }: { disposition: string }) {
  return (
    <Badge
      color={COLORS[disposition] ?? 'gray'}
      variant="light"
      radius="sm"
      style={{ textTransform: 'none' }}
    >
      {dispositionLabel(disposition)}
    </Badge>
  );
}
