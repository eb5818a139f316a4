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
 * The kit's light, outline and subtle variants write text in the colour's 6th shade, which reads
 * below 4.5:1 on white and on their pale backgrounds (red, teal, orange, yellow, gray); text in
 * these variants uses the colour's darkest shade, darkened further, so every badge and button
 * passes WCAG AA. Filled buttons and badges of a colour other than ours (a red "Deactivate") get
 * that colour's darkest shade behind their white text: the kit's shade 7 reads at 3.9:1 in red.
 */
const variantColorResolver: VariantColorsResolver = (input) => {
  const colors = defaultVariantColorsResolver(input);
  const parsed = parseThemeColor({ color: input.color ?? input.theme.primaryColor, theme: input.theme });
  if (!parsed.isThemeColor) return colors;
  const isOther = parsed.color !== input.theme.primaryColor;
  if (input.variant === 'filled' && parsed.shade === undefined && isOther)
    return {
      ...colors,
      background: `var(--mantine-color-${parsed.color}-9)`,
      hover: `color-mix(in srgb, var(--mantine-color-${parsed.color}-9) 85%, black)`,
    };
  if (input.variant === 'subtle' && !isOther) return colors; // ours reads at 5:1 already
  if (input.variant !== 'light' && input.variant !== 'outline' && input.variant !== 'subtle') return colors;
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
