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
