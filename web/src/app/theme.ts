import { createTheme, type MantineColorsTuple } from '@mantine/core';

/** A deep telephone blue: calm, readable, and AA-contrast on white at shade 7. */
const switchboard: MantineColorsTuple = [
  '#e8f1ff',
  '#d2e0fb',
  '#a3bff2',
  '#729ce9',
  '#497ee2',
  '#2f6bde',
  '#2061dd',
  '#1151c5',
  '#0548b1',
  '#003d9d',
];

export const theme = createTheme({
  primaryColor: 'switchboard',
  primaryShade: 7,
  colors: { switchboard },
  fontFamily:
    'Inter, "Segoe UI", system-ui, -apple-system, "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", sans-serif',
  headings: { fontWeight: '650' },
  defaultRadius: 'md',
  cursorType: 'pointer',
  components: {
    Paper: { defaultProps: { withBorder: true, radius: 'md' } },
    Card: { defaultProps: { withBorder: true, radius: 'md' } },
  },
});
