/**
 * Uploaded audio named by a call flow: V2's `file://<reference_id>` in a prompt (`message`,
 * `whisper_message`, `voicemail_greeting` ... at any depth). A flow plays audio of its own group
 * and the groups below it only; the save refuses any other reference and the runtime silences one
 * that got into a stored flow anyhow.
 */

const FILE_PREFIX = 'file://';

const referenceOf = (text: string): string | undefined => {
  const trimmed = text.trim();
  return trimmed.startsWith(FILE_PREFIX) ? trimmed.slice(FILE_PREFIX.length) : undefined;
};

/** Every `file://` reference in a flow document, each once. */
export function audioReferencesOf(document: unknown): string[] {
  const found = new Set<string>();
  const walk = (value: unknown): void => {
    if (typeof value === 'string') {
      const reference = referenceOf(value);
      if (reference !== undefined) found.add(reference);
    } else if (Array.isArray(value)) {
      for (const item of value) walk(item);
    } else if (value !== null && typeof value === 'object') {
      for (const item of Object.values(value)) walk(item);
    }
  };
  walk(document);
  return [...found];
}

/** The document with every `file://` reference that is not `playable` made silent (`blank://`). */
export function withUnplayableAudioSilenced<T>(document: T, playable: ReadonlySet<string>): T {
  const rewrite = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const reference = referenceOf(value);
      return reference === undefined || playable.has(reference) ? value : 'blank://';
    }
    if (Array.isArray(value)) return value.map(rewrite);
    if (value !== null && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, rewrite(item)]));
    return value;
  };
  return rewrite(document) as T;
}
