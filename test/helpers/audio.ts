import { Mp3Encoder } from '@breezystack/lamejs';
import { MPEGDecoder } from 'mpg123-decoder';

/** Audio fixtures and multipart bodies for the upload tests (prompts, whispers, call audio). */

/** An ID3v2 tag and one MPEG-1 Layer III frame. */
export const mp3 = () =>
  Buffer.from([
    ...Buffer.from('ID3'),
    4,
    0,
    0,
    0,
    0,
    0,
    0,
    0xff,
    0xfb,
    0x90,
    0x64,
    ...new Array(413).fill(0),
  ]);

/** An 8 kHz mono 16-bit PCM WAVE file of `seconds` (0.1 s by default). */
export function wav(seconds = 0.1): Buffer {
  const dataBytes = Math.round(16000 * seconds);
  const bytes = Buffer.alloc(44 + dataBytes);
  bytes.write('RIFF', 0, 'ascii');
  bytes.writeUInt32LE(36 + dataBytes, 4);
  bytes.write('WAVEfmt ', 8, 'ascii');
  bytes.writeUInt32LE(16, 16);
  bytes.writeUInt16LE(1, 20);
  bytes.writeUInt16LE(1, 22);
  bytes.writeUInt32LE(8000, 24);
  bytes.writeUInt32LE(16000, 28);
  bytes.writeUInt16LE(2, 32);
  bytes.writeUInt16LE(16, 34);
  bytes.write('data', 36, 'ascii');
  bytes.writeUInt32LE(dataBytes, 40);
  return bytes;
}

export interface FilePart {
  field: string;
  name: string;
  data: Buffer;
}

/** Encodes a multipart/form-data body the way curl -F does. */
export async function multipart(fields: Record<string, string>, files: FilePart[]) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  for (const part of files) form.append(part.field, new Blob([part.data]), part.name);
  const encoded = new Response(form);
  return {
    payload: Buffer.from(await encoded.arrayBuffer()),
    headers: { 'content-type': encoded.headers.get('content-type') as string },
  };
}

/** `seconds` of a 440 Hz tone at `sampleRate`, as 16-bit samples. */
function tone(seconds: number, sampleRate: number): Int16Array {
  return Int16Array.from({ length: Math.round(seconds * sampleRate) }, (_, i) =>
    Math.round(Math.sin((2 * Math.PI * 440 * i) / sampleRate) * 12_000),
  );
}

/**
 * A real mp3 (encoded by LAME) of `seconds`: stereo with the tone on the left and silence on the
 * right, or mono with the tone.
 */
export function toneMp3({ seconds = 3, channels = 2, sampleRate = 8000 } = {}): Buffer {
  const left = tone(seconds, sampleRate);
  const encoder = new Mp3Encoder(channels, sampleRate, 32);
  const parts =
    channels === 2 ? [encoder.encodeBuffer(left, new Int16Array(left.length))] : [encoder.encodeBuffer(left)];
  parts.push(encoder.flush());
  // LAME hands back Int8Arrays: the same bytes, viewed as Buffers
  return Buffer.concat(parts.map((part) => Buffer.from(part.buffer, part.byteOffset, part.byteLength)));
}

/** A 16-bit PCM stereo WAVE file of `seconds`: the tone on the left, silence on the right. */
export function toneWav(seconds = 1, sampleRate = 8000, formatCode = 1): Buffer {
  const left = tone(seconds, sampleRate);
  const bytes = Buffer.alloc(44 + left.length * 4);
  bytes.write('RIFF', 0, 'ascii');
  bytes.writeUInt32LE(36 + left.length * 4, 4);
  bytes.write('WAVEfmt ', 8, 'ascii');
  bytes.writeUInt32LE(16, 16);
  bytes.writeUInt16LE(formatCode, 20);
  bytes.writeUInt16LE(2, 22);
  bytes.writeUInt32LE(sampleRate, 24);
  bytes.writeUInt32LE(sampleRate * 4, 28);
  bytes.writeUInt16LE(4, 32);
  bytes.writeUInt16LE(16, 34);
  bytes.write('data', 36, 'ascii');
  bytes.writeUInt32LE(left.length * 4, 40);
  for (const [i, sample] of left.entries()) bytes.writeInt16LE(sample, 44 + i * 4);
  return bytes;
}

/** The RMS level (0..1) of each channel of a 16-bit PCM WAVE file as `toneWav` writes it. */
export function wavChannelLevels(bytes: Buffer): number[] {
  const frames = (bytes.length - 44) / 4;
  return [0, 1].map((channel) => {
    let sum = 0;
    for (let i = 0; i < frames; i++) sum += (bytes.readInt16LE(44 + i * 4 + channel * 2) / 32768) ** 2;
    return Math.sqrt(sum / frames);
  });
}

/** The RMS level (0..1) of each channel of an mp3, decoded by libmpg123. */
export async function mp3ChannelLevels(bytes: Buffer): Promise<number[]> {
  const decoder = new MPEGDecoder();
  await decoder.ready;
  try {
    const { channelData } = decoder.decode(bytes);
    return channelData.map((samples) =>
      Math.sqrt(samples.reduce((sum, sample) => sum + sample * sample, 0) / samples.length),
    );
  } finally {
    decoder.free();
  }
}

/**
 * An 8 kHz 16-bit PCM WAVE file of a two-sided conversation: the caller on the left channel and
 * the agent on the right take turns, each turn a few "syllables" of shaped noise, so a waveform
 * of it looks like a real call. Deterministic for a given `seed`.
 */
export function conversationWav(seconds: number, seed = 1): Buffer {
  const rate = 8000;
  const frames = Math.round(rate * seconds);
  const bytes = Buffer.alloc(44 + frames * 4);
  bytes.write('RIFF', 0, 'ascii');
  bytes.writeUInt32LE(36 + frames * 4, 4);
  bytes.write('WAVEfmt ', 8, 'ascii');
  bytes.writeUInt32LE(16, 16);
  bytes.writeUInt16LE(1, 20);
  bytes.writeUInt16LE(2, 22);
  bytes.writeUInt32LE(rate, 24);
  bytes.writeUInt32LE(rate * 4, 28);
  bytes.writeUInt16LE(4, 32);
  bytes.writeUInt16LE(16, 34);
  bytes.write('data', 36, 'ascii');
  bytes.writeUInt32LE(frames * 4, 40);
  let state = seed * 2_654_435_761;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  // turns of 2-6 s, alternating speakers, with short pauses between them
  const turns: { speaker: 0 | 1; start: number; end: number; loudness: number }[] = [];
  for (let t = 0.4, speaker: 0 | 1 = 1; t < seconds; speaker = speaker === 0 ? 1 : 0) {
    const length = 2 + random() * 4;
    turns.push({ speaker, start: t, end: Math.min(seconds, t + length), loudness: 0.35 + random() * 0.4 });
    t += length + 0.3 + random() * 0.6;
  }
  let low = 0;
  for (let i = 0; i < frames; i += 1) {
    const t = i / rate;
    const turn = turns.find((candidate) => t >= candidate.start && t < candidate.end);
    low = low * 0.6 + (random() * 2 - 1) * 0.4;
    for (const channel of [0, 1] as const) {
      let sample = 0;
      if (turn && turn.speaker === channel) {
        const syllable = Math.max(0, Math.sin(2 * Math.PI * 3.2 * (t - turn.start)));
        sample = low * turn.loudness * syllable ** 0.6;
      }
      bytes.writeInt16LE(Math.round(sample * 32_000), 44 + i * 4 + channel * 2);
    }
  }
  return bytes;
}
