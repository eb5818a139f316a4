import {
  type CSSVariablesResolver,
  createTheme,
  defaultVariantColorsResolver,
  type MantineColorsTuple,
  parseThemeColor,
  type VariantColorsResolver,
} from '@mantine/core';

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

/**
 * The kit's light and outline variants write text in the colour's 6th shade, which reads below
 * 4.5:1 on their pale backgrounds (teal, orange, yellow, gray); text in these variants uses the
 * colour's darkest shade, darkened further, so every badge passes WCAG AA.
 */
const variantColorResolver: VariantColorsResolver = (input) => {
  const colors = defaultVariantColorsResolver(input);
  if (input.variant !== 'light' && input.variant !== 'outline') return colors;
  const parsed = parseThemeColor({ color: input.color ?? input.theme.primaryColor, theme: input.theme });
  if (!parsed.isThemeColor) return colors;
  return { ...colors, color: `color-mix(in srgb, var(--mantine-color-${parsed.color}-9) 72%, black)` };
};

export const theme = createTheme({
  variantColorResolver,
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
    // the kit's close button is an icon alone: every dialog's says what it does
    Modal: { defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } },
  },
});

/**
 * The kit's "dimmed" text (gray 6) reads at 3:1 on the page's gray background; gray 7 meets
 * WCAG AA (4.5:1) on white and on gray 0 alike.
 */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: { '--mantine-color-dimmed': 'var(--mantine-color-gray-7)' },
  dark: {},
});
