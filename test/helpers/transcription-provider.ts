import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP server on 127.0.0.1 playing a transcription provider: it records each request
 * (headers, raw body, and for multipart the form's fields and file) and answers what the test
 * says. The tests give it the documented wire format of OpenAI's `/audio/transcriptions`
 * (verbose_json) and Deepgram's `/listen`.
 */
export interface ProviderRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** multipart fields (text) */
  fields: Record<string, string[]>;
  /** the multipart `file` part */
  file?: { name: string; type: string; bytes: Buffer };
}

export interface ProviderAnswer {
  status?: number;
  headers?: Record<string, string>;
  json?: unknown;
  /** waits this long before answering (timeouts) */
  delayMs?: number;
}

export async function startFakeProvider(answer: (request: ProviderRequest) => ProviderAnswer) {
  const requests: ProviderRequest[] = [];
  let respond = answer;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const request: ProviderRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        fields: {},
      };
      const type = req.headers['content-type'] ?? '';
      if (type.startsWith('multipart/form-data')) {
        // the platform's own multipart parser, reading what the client sent
        const form = await new Request('http://provider.test/', {
          method: 'POST',
          headers: { 'content-type': type },
          body,
        }).formData();
        for (const [name, value] of form.entries()) {
          if (typeof value === 'string') request.fields[name] = [...(request.fields[name] ?? []), value];
          else
            request.file = {
              name: value.name,
              type: value.type,
              bytes: Buffer.from(await value.arrayBuffer()),
            };
        }
      }
      requests.push(request);
      const { status = 200, headers = {}, json = {}, delayMs = 0 } = respond(request);
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(json));
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answerWith(next: typeof answer) {
      respond = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type FakeProvider = Awaited<ReturnType<typeof startFakeProvider>>;

/**
 * An 8 kHz 16-bit PCM WAVE file of `seconds` whose channels hold the constant samples `levels`
 * (one per channel), so a provider can tell which channel it was sent by its first sample.
 */
export function levelsWav(levels: readonly number[], seconds = 0.2): Buffer {
  const channels = levels.length;
  const frames = Math.round(8000 * seconds);
  const data = Buffer.alloc(frames * channels * 2);
  for (let frame = 0; frame < frames; frame++)
    levels.forEach((level, channel) => {
      data.writeInt16LE(level, (frame * channels + channel) * 2);
    });
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(8000 * channels * 2, 28);
  header.writeUInt16LE(channels * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** The first sample of a mono 16-bit WAVE file as levelsWav wrote it. */
export const firstSample = (wav: Buffer) => wav.readInt16LE(44);
