import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { MPEGDecoder } from 'mpg123-decoder';
import { parseBuffer } from 'music-metadata';
import { AUDIO_CONTENT_TYPES, type AudioFormat } from '../misc/audio-format.js';

/**
 * A recording's channels, each as a mono WAVE file, for providers that transcribe one channel per
 * request. A dual-channel call recording has the caller on channel 1 (left) and the agent on
 * channel 2 (right): the carrier's `record-from-answer-dual` puts the parent (inbound) leg first,
 * and Upload Call Audio's `swap_channels` exists for recordings made the other way round.
 */

interface WavFormat {
  code: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  blockAlign: number;
  dataOffset: number;
  dataBytes: number;
}

function readWav(bytes: Buffer): WavFormat | undefined {
  if (
    bytes.length < 12 ||
    bytes.toString('ascii', 0, 4) !== 'RIFF' ||
    bytes.toString('ascii', 8, 12) !== 'WAVE'
  )
    return undefined;
  let fmt: Omit<WavFormat, 'dataOffset' | 'dataBytes'> | undefined;
  for (let offset = 12; offset + 8 <= bytes.length; ) {
    const id = bytes.toString('ascii', offset, offset + 4);
    const size = bytes.readUInt32LE(offset + 4);
    if (id === 'fmt ' && offset + 24 <= bytes.length) {
      fmt = {
        code: bytes.readUInt16LE(offset + 8),
        channels: bytes.readUInt16LE(offset + 10),
        sampleRate: bytes.readUInt32LE(offset + 12),
        blockAlign: bytes.readUInt16LE(offset + 20),
        bitsPerSample: bytes.readUInt16LE(offset + 22),
      };
    }
    if (id === 'data' && fmt)
      return { ...fmt, dataOffset: offset + 8, dataBytes: Math.min(size, bytes.length - offset - 8) };
    offset += 8 + size + (size % 2);
  }
  return undefined;
}

function wavHeader(code: number, sampleRate: number, bitsPerSample: number, dataBytes: number): Buffer {
  const blockAlign = bitsPerSample / 8;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(code, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * blockAlign, 28);
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(bitsPerSample, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, 40);
  return header;
}

/** How many channels the recording has (1 when it cannot tell). */
export async function channelCount(bytes: Buffer, format: AudioFormat): Promise<number> {
  if (format === 'wav') return readWav(bytes)?.channels ?? 1;
  const { format: info } = await parseBuffer(
    bytes,
    { mimeType: AUDIO_CONTENT_TYPES.mp3, size: bytes.length },
    { skipCovers: true },
  ).catch(() => ({ format: { numberOfChannels: 1 } }));
  return info.numberOfChannels ?? 1;
}

/** A multi-channel PCM (or A-law/µ-law) WAVE file as one mono WAVE file per channel. */
function splitWav(bytes: Buffer, wav: WavFormat): Buffer[] {
  const sampleBytes = wav.blockAlign / wav.channels;
  const frames = Math.floor(wav.dataBytes / wav.blockAlign);
  // extensible WAVE (0xfffe) holds PCM in practice; its mono copy says so plainly
  const code = wav.code === 0xfffe ? 1 : wav.code;
  return Array.from({ length: wav.channels }, (_, channel) => {
    const data = Buffer.alloc(frames * sampleBytes);
    for (let frame = 0; frame < frames; frame++) {
      const from = wav.dataOffset + frame * wav.blockAlign + channel * sampleBytes;
      bytes.copy(data, frame * sampleBytes, from, from + sampleBytes);
    }
    return Buffer.concat([wavHeader(code, wav.sampleRate, sampleBytes * 8, data.length), data]);
  });
}

const MP3_CHUNK_BYTES = 64 * 1024;

/** An mp3 decoded (libmpg123) to one 16-bit PCM mono WAVE file per channel. */
async function splitMp3(bytes: Buffer): Promise<Buffer[]> {
  const decoder = new MPEGDecoder();
  await decoder.ready;
  const parts: Buffer[][] = [];
  let sampleRate = 0;
  try {
    for (let offset = 0; offset < bytes.length; offset += MP3_CHUNK_BYTES) {
      const decoded = decoder.decode(bytes.subarray(offset, offset + MP3_CHUNK_BYTES));
      if (decoded.samplesDecoded > 0) {
        sampleRate = decoded.sampleRate;
        decoded.channelData.forEach((samples, channel) => {
          const pcm = Buffer.alloc(samples.length * 2);
          for (let i = 0; i < samples.length; i++)
            pcm.writeInt16LE(Math.round(Math.max(-1, Math.min(1, samples[i] as number)) * 32767), i * 2);
          const chunks = parts[channel] ?? [];
          chunks.push(pcm);
          parts[channel] = chunks;
        });
      }
      await yieldToEventLoop();
    }
  } finally {
    decoder.free();
  }
  return parts.map((chunks) => {
    const data = Buffer.concat(chunks);
    return Buffer.concat([wavHeader(1, sampleRate, 16, data.length), data]);
  });
}

/** The recording's channels as mono WAVE files; a mono recording (or one it cannot split) whole. */
export async function splitChannels(bytes: Buffer, format: AudioFormat): Promise<Buffer[]> {
  if (format === 'wav') {
    const wav = readWav(bytes);
    if (!wav || wav.channels < 2 || wav.blockAlign % wav.channels !== 0) return [bytes];
    return splitWav(bytes, wav);
  }
  if ((await channelCount(bytes, format)) < 2) return [bytes];
  const channels = await splitMp3(bytes);
  return channels.length > 0 ? channels : [bytes];
}
