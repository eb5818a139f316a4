import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/**
 * Writes a .gz and a .br copy beside each built script, style and SVG, which the server sends to
 * browsers that accept them (@fastify/static preCompressed): no compression work per request.
 */
function precompress(): Plugin {
  return {
    name: 'switchboard-precompress',
    apply: 'build',
    async closeBundle() {
      const dist = path.resolve(import.meta.dirname, 'dist');
      const files = await readdir(dist, { recursive: true });
      await Promise.all(
        files
          .filter((file) => /\.(js|css|svg|html)$/.test(file))
          .map(async (file) => {
            const full = path.join(dist, file);
            const data = await readFile(full);
            await writeFile(`${full}.gz`, await gzipAsync(data, { level: 9 }));
            await writeFile(
              `${full}.br`,
              await brotliAsync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
            );
          }),
      );
    },
  };
}

export default defineConfig({
  plugins: [react(), precompress()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 600 },
  // `npm run dev -w @switchboard/web` proxies the API to a server started with `npm run dev`
  server: { proxy: { '/v2': 'http://127.0.0.1:3000' } },
});
