import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Mp3Encoder } from '@breezystack/lamejs';
import { MPEGDecoder } from 'mpg123-decoder';
import { parseBuffer } from 'music-metadata';
import { AUDIO_CONTENT_TYPES, type AudioFormat } from '../misc/audio-format.js';
import { type CallUpload, uploadError } from './call-upload.js';

/**
 * What Upload Call Audio does to a recording besides storing it: reads its length and, for
 * `swap_channels`, swaps the two channels of a stereo recording (V2: "swap stereo channels";
 * a call recorded with the caller on the other side than analytics expect).
 */

/** The upload as stored: its channels swapped when asked, its own length when no duration was given. */
export async function prepareRecording(upload: CallUpload): Promise<CallUpload> {
  const file = upload.swap_channels ? await swapChannels(upload.file, upload.format) : upload.file;
  const duration = upload.duration ?? (await audioDurationSeconds(file, upload.format));
  return { ...upload, file, ...(duration === undefined ? {} : { duration }) };
}

/** The recording's length in whole seconds (music-metadata counts an mp3's frames); undefined when unreadable. */
export async function audioDurationSeconds(bytes: Buffer, format: AudioFormat): Promise<number | undefined> {
  try {
    const { format: info } = await parseBuffer(
      bytes,
      { mimeType: AUDIO_CONTENT_TYPES[format], size: bytes.length },
      { duration: true, skipCovers: true },
    );
    return info.duration !== undefined && Number.isFinite(info.duration)
      ? Math.round(info.duration)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The recording with its left and right channels swapped; a mono recording as it is. */
export function swapChannels(bytes: Buffer, format: AudioFormat): Promise<Buffer> {
  return format === 'wav' ? Promise.resolve(swapWavChannels(bytes)) : swapMp3Channels(bytes);
}

/** WAVE formats whose frames are one fixed-size sample per channel: PCM, float, A-law, µ-law, extensible. */
const SAMPLE_FORMATS = new Set([1, 3, 6, 7, 0xfffe]);

/** A WAVE file's sample frames swapped in place in a copy: exact, nothing re-encoded. */
function swapWavChannels(bytes: Buffer): Buffer {
  let fmt: { code: number; channels: number; blockAlign: number } | undefined;
  for (let offset = 12; offset + 8 <= bytes.length; ) {
    const id = bytes.toString('ascii', offset, offset + 4);
    const size = bytes.readUInt32LE(offset + 4);
    if (id === 'fmt ' && offset + 22 <= bytes.length) {
      fmt = {
        code: bytes.readUInt16LE(offset + 8),
        channels: bytes.readUInt16LE(offset + 10),
        blockAlign: bytes.readUInt16LE(offset + 20),
      };
    }
    if (id === 'data' && fmt) {
      if (fmt.channels === 1) return bytes;
      if (fmt.channels !== 2 || !SAMPLE_FORMATS.has(fmt.code) || fmt.blockAlign % 2 !== 0)
        throw uploadError('swap_channels needs a stereo PCM wav or an mp3');
      const swapped = Buffer.from(bytes);
      const sampleBytes = fmt.blockAlign / 2;
      const end = Math.min(bytes.length, offset + 8 + size);
      for (let frame = offset + 8; frame + fmt.blockAlign <= end; frame += fmt.blockAlign) {
        bytes.copy(swapped, frame, frame + sampleBytes, frame + fmt.blockAlign);
        bytes.copy(swapped, frame + sampleBytes, frame, frame + sampleBytes);
      }
      return swapped;
    }
    offset += 8 + size + (size % 2);
  }
  throw uploadError('swap_channels needs a stereo PCM wav or an mp3');
}

/** How much mp3 is decoded and re-encoded between two turns of the event loop. */
const MP3_CHUNK_BYTES = 64 * 1024;
/** LAME's constant bitrates (kbit/s) for MPEG-1 (32-48 kHz) and MPEG-2/2.5 (8-24 kHz). */
const MPEG1_KBPS = [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const MPEG2_KBPS = [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];

const nearest = (choices: readonly number[], wanted: number) =>
  choices.reduce((best, choice) => (Math.abs(choice - wanted) < Math.abs(best - wanted) ? choice : best));

const toInt16 = (samples: Float32Array) =>
  Int16Array.from(samples, (sample) => Math.round(Math.max(-1, Math.min(1, sample)) * 32767));

/**
 * An mp3's channels cannot be swapped frame by frame (joint stereo codes sum and difference), so
 * the recording is decoded (libmpg123) and encoded again (LAME) at its own sample rate and the
 * nearest constant bitrate, a chunk at a time with the event loop served in between: a long
 * recording costs CPU time, never the other requests' turn. ID3 tags are not carried over.
 */
async function swapMp3Channels(bytes: Buffer): Promise<Buffer> {
  const { format: info } = await parseBuffer(
    bytes,
    { mimeType: AUDIO_CONTENT_TYPES.mp3, size: bytes.length },
    { skipCovers: true },
  ).catch(() => ({ format: { numberOfChannels: undefined, bitrate: undefined } }));
  if (info.numberOfChannels === 1) return bytes;

  const decoder = new MPEGDecoder();
  await decoder.ready;
  const encoded: Uint8Array[] = [];
  let encoder: Mp3Encoder | undefined;
  try {
    for (let offset = 0; offset < bytes.length; offset += MP3_CHUNK_BYTES) {
      const { channelData, samplesDecoded, sampleRate } = decoder.decode(
        bytes.subarray(offset, offset + MP3_CHUNK_BYTES),
      );
      const [left, right] = channelData;
      if (samplesDecoded > 0 && left && right) {
        encoder ??= new Mp3Encoder(
          2,
          sampleRate,
          nearest(sampleRate >= 32_000 ? MPEG1_KBPS : MPEG2_KBPS, (info.bitrate ?? 64_000) / 1000),
        );
        encoded.push(encoder.encodeBuffer(toInt16(right), toInt16(left)));
      } else if (samplesDecoded > 0) {
        return bytes; // one channel after all: nothing to swap
      }
      await yieldToEventLoop();
    }
  } finally {
    decoder.free();
  }
  if (!encoder) throw uploadError('The mp3 could not be decoded to swap its channels');
  encoded.push(encoder.flush());
  // LAME hands back Int8Arrays (typed as Uint8Array): the same bytes, viewed as a Buffer
  return Buffer.concat(encoded.map((part) => Buffer.from(part.buffer, part.byteOffset, part.byteLength)));
}
