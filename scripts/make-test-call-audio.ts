import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Makes test/fixtures/two-channel-call.wav (test/api/transcription-real-audio.test.ts): a short
 * call, the caller on channel 1 and the agent on channel 2, 8 kHz 16-bit PCM as a carrier's dual
 * recording. Run once by hand (`apt-get install espeak-ng`, then `npx tsx
 * scripts/make-test-call-audio.ts`); the file is committed, so tests need no speech synthesiser.
 * The speech is espeak-ng's (its en-us voice) reading the lines below; test/fixtures/README.md
 * says where each line is.
 */
const CALL_LINES = [
  {
    channel: 0,
    startS: 0.3,
    voice: 'en-us+m3',
    text: 'Hi, I would like to book an appointment for Tuesday.',
  },
  { channel: 1, startS: 3.8, voice: 'en-us+f2', text: 'Sure, you are all set for Tuesday morning.' },
] as const;

const RATE = 8000;
const SECONDS = 7;

/** espeak-ng's mono 16-bit WAVE (22,050 Hz) as samples. */
function speak(text: string, voice: string): { rate: number; samples: Int16Array } {
  const result = spawnSync('espeak-ng', ['-v', voice, '-s', '165', '--stdout', text], { maxBuffer: 1 << 26 });
  if (result.status !== 0) throw new Error(`espeak-ng failed: ${result.stderr}`);
  const wav = result.stdout;
  const rate = wav.readUInt32LE(24);
  let offset = 12;
  while (wav.toString('ascii', offset, offset + 4) !== 'data') offset += 8 + wav.readUInt32LE(offset + 4);
  const bytes = Math.min(wav.readUInt32LE(offset + 4), wav.length - offset - 8);
  const samples = new Int16Array(bytes / 2);
  for (let i = 0; i < samples.length; i++) samples[i] = wav.readInt16LE(offset + 8 + i * 2);
  return { rate, samples };
}

/** To 8 kHz: the mean of the source samples each output sample covers (a box low-pass), then point. */
function resample({ rate, samples }: { rate: number; samples: Int16Array }): Int16Array {
  const out = new Int16Array(Math.floor((samples.length * RATE) / rate));
  const ratio = rate / RATE;
  for (let n = 0; n < out.length; n++) {
    const from = Math.floor(n * ratio);
    const to = Math.min(samples.length, Math.max(from + 1, Math.floor((n + 1) * ratio)));
    let sum = 0;
    for (let i = from; i < to; i++) sum += samples[i] as number;
    out[n] = Math.round(sum / (to - from));
  }
  return out;
}

const frames = RATE * SECONDS;
const data = Buffer.alloc(frames * 4);
for (const line of CALL_LINES) {
  const speech = resample(speak(line.text, line.voice));
  const start = Math.round(line.startS * RATE);
  if (start + speech.length > frames) throw new Error(`"${line.text}" runs past ${SECONDS} s`);
  speech.forEach((sample, i) => {
    data.writeInt16LE(sample, ((start + i) * 2 + line.channel) * 2);
  });
  process.stdout.write(
    `${line.text}: ${line.startS} s to ${(line.startS + speech.length / RATE).toFixed(2)} s\n`,
  );
}
const header = Buffer.alloc(44);
header.write('RIFF', 0, 'ascii');
header.writeUInt32LE(36 + data.length, 4);
header.write('WAVEfmt ', 8, 'ascii');
header.writeUInt32LE(16, 16);
header.writeUInt16LE(1, 20);
header.writeUInt16LE(2, 22);
header.writeUInt32LE(RATE, 24);
header.writeUInt32LE(RATE * 4, 28);
header.writeUInt16LE(4, 32);
header.writeUInt16LE(16, 34);
header.write('data', 36, 'ascii');
header.writeUInt32LE(data.length, 40);
const out = path.join(import.meta.dirname, '../test/fixtures/two-channel-call.wav');
writeFileSync(out, Buffer.concat([header, data]));
process.stdout.write(`wrote ${out}\n`);
