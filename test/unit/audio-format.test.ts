import { describe, expect, it } from 'vitest';
import { audioFormatOf, formatFromName, sniffAudioFormat } from '../../src/modules/misc/audio-format.js';
import { wav } from '../helpers/audio.js';

const mp3Frame = () => Uint8Array.from([0xff, 0xfb, 0x90, 0x64, ...new Array(413).fill(0)]);
const id3 = () => Uint8Array.from([...Buffer.from('ID3'), 0x04, 0x00, 0x00, 0, 0, 0, 0, ...mp3Frame()]);

describe('sniffAudioFormat', () => {
  it('recognises WAV by its RIFF/WAVE header', () => {
    expect(sniffAudioFormat(wav())).toBe('wav');
  });

  it('recognises MP3 by an ID3 tag or a Layer III frame header', () => {
    expect(sniffAudioFormat(id3())).toBe('mp3');
    expect(sniffAudioFormat(mp3Frame())).toBe('mp3');
    // MPEG-2 Layer III (22.05 kHz)
    expect(sniffAudioFormat(Uint8Array.from([0xff, 0xf3, 0x90, 0x64]))).toBe('mp3');
  });

  it.each([
    ['MPEG Layer II', [0xff, 0xfd, 0x90, 0x64]],
    ['a reserved MPEG version', [0xff, 0xeb, 0x90, 0x64]],
    ['a bad bitrate index', [0xff, 0xfb, 0xf0, 0x64]],
    ['a reserved sample rate', [0xff, 0xfb, 0x9c, 0x64]],
    ['an MP4 box', [0, 0, 0, 0x18, ...Buffer.from('ftypmp42')]],
    ['a RIFF AVI', [...Buffer.from('RIFF'), 0, 0, 0, 0, ...Buffer.from('AVI ')]],
    ['plain text', [...Buffer.from('hello, world')]],
    ['nothing', []],
  ])('rejects %s', (_, bytes) => {
    expect(sniffAudioFormat(Uint8Array.from(bytes))).toBeUndefined();
  });
});

describe('formatFromName', () => {
  it.each([
    ['greeting.mp3', 'mp3'],
    ['GREETING.MP3', 'mp3'],
    ['hold.music.wav', 'wav'],
    ['C:\\prompts\\hello.Wav', 'wav'],
    ['clip.mp4', undefined],
    ['mp3', undefined],
    ['wav.', undefined],
    ['', undefined],
  ])('reads %j as %s', (name, format) => {
    expect(formatFromName(name)).toBe(format);
  });
});

describe('audioFormatOf', () => {
  it('accepts a file whose name and content agree', () => {
    expect(audioFormatOf('a.mp3', id3())).toBe('mp3');
    expect(audioFormatOf('a.wav', wav())).toBe('wav');
  });

  it('refuses a file whose name and content disagree, or that is neither', () => {
    expect(audioFormatOf('a.mp3', wav())).toBeUndefined();
    expect(audioFormatOf('a.wav', id3())).toBeUndefined();
    expect(audioFormatOf('a.mp4', id3())).toBeUndefined();
    expect(audioFormatOf('a.mp3', Buffer.from('not audio at all'))).toBeUndefined();
  });
});
