/**
 * Prompt and whisper audio must be mp3 or wav, by name and by content: the two signatures are
 * fixed and short, so they are checked here rather than with a general file-type library.
 */
export type AudioFormat = 'mp3' | 'wav';

export const AUDIO_CONTENT_TYPES: Readonly<Record<AudioFormat, string>> = {
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
};

/** The format a file name claims by its extension, if it is one we accept. */
export function formatFromName(fileName: string): AudioFormat | undefined {
  const extension = /\.([^./\\]+)$/.exec(fileName)?.[1]?.toLowerCase();
  return extension === 'mp3' || extension === 'wav' ? extension : undefined;
}

const ascii = (bytes: Uint8Array, start: number, end: number) =>
  String.fromCharCode(...bytes.subarray(start, end));

/** RIFF container whose form type is WAVE. */
const isWav = (bytes: Uint8Array) =>
  bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WAVE';

/**
 * An ID3v2 tag, or an MPEG audio Layer III frame header: 11 sync bits, a version that is not the
 * reserved one, layer bits 01 (Layer III), a bitrate index that is not 1111 and a known sample rate.
 */
function isMp3(bytes: Uint8Array): boolean {
  if (bytes.length >= 10 && ascii(bytes, 0, 3) === 'ID3' && (bytes[3] as number) < 0xff) return true;
  if (bytes.length < 4) return false;
  const [b0, b1, b2] = bytes as unknown as [number, number, number];
  const isSync = b0 === 0xff && (b1 & 0xe0) === 0xe0;
  const version = (b1 >> 3) & 0x03;
  const layer = (b1 >> 1) & 0x03;
  const bitrate = b2 >> 4;
  const sampleRate = (b2 >> 2) & 0x03;
  return isSync && version !== 0x01 && layer === 0x01 && bitrate !== 0x0f && sampleRate !== 0x03;
}

/** The audio format the content shows, from its first bytes. */
export function sniffAudioFormat(bytes: Uint8Array): AudioFormat | undefined {
  if (isWav(bytes)) return 'wav';
  if (isMp3(bytes)) return 'mp3';
  return undefined;
}

/** The file's format when its name and its content agree on mp3 or wav. */
export function audioFormatOf(fileName: string, bytes: Uint8Array): AudioFormat | undefined {
  const claimed = formatFromName(fileName);
  return claimed !== undefined && sniffAudioFormat(bytes) === claimed ? claimed : undefined;
}
