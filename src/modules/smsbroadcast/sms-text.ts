/**
 * The text rules of broadcasts, pure (no I/O, no imports): the console's composer counts with the
 * same functions the server uses, so the count shown before sending is the one stored.
 */

/** `{field}` from the contact: first_name, last_name, phone_number or a custom field; unknown: empty. */
export function renderTemplate(template: string, fields: Record<string, string | null | undefined>): string {
  return template.replace(
    /\{([A-Za-z_][A-Za-z0-9_]*)\}/g,
    (_, name: string) => fields[name.toLowerCase()] ?? '',
  );
}

const GSM7 =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXTENDED = '^{}\\[~]|€\f';

/** How many SMS segments a text takes: GSM-7 (160, or 153 per part) or UCS-2 (70, or 67). */
export function segmentsOf(text: string): { segments: number; encoding: 'GSM-7' | 'UCS-2' } {
  let septets = 0;
  let isGsm = true;
  for (const char of text) {
    if (GSM7.includes(char)) septets += 1;
    else if (GSM7_EXTENDED.includes(char)) septets += 2;
    else {
      isGsm = false;
      break;
    }
  }
  if (isGsm) return { segments: septets <= 160 ? 1 : Math.ceil(septets / 153), encoding: 'GSM-7' };
  // UTF-16 code units: a character outside the BMP (an emoji) takes two
  const units = text.length;
  return { segments: units <= 70 ? 1 : Math.ceil(units / 67), encoding: 'UCS-2' };
}
