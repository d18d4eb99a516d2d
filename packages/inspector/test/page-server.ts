// Builds the test page with esbuild (workspace packages from source) and serves it on 127.0.0.1, port 0.
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const core = (path: string) => here(`../../core/src/${path}`);

const workspace: Plugin = {
  name: 'handset-workspace',
  setup(on) {
    const paths: Record<string, string> = {
      '@handset/core': core('index.ts'),
      '@handset/core/machine': core('call/index.ts'),
      '@handset/core/testing': core('testing/index.ts'),
      '@handset/inspector': here('../src/index.ts'),
    };
    on.onResolve({ filter: /^@handset\// }, (args) =>
      paths[args.path]
        ? { path: paths[args.path]! }
        : { errors: [{ text: `no workspace path for ${args.path}` }] },
    );
  },
};

export interface PageServer {
  url: string;
  close(): Promise<void>;
}

export async function startPageServer(): Promise<PageServer> {
  const bundle = await build({
    // The element starts its layout Worker from `./layout-worker.js` beside its own module, as a bundler would ship it.
    entryPoints: [
      { in: here('page/main.ts'), out: 'main' },
      { in: here('../src/layout-worker.ts'), out: 'layout-worker' },
    ],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    splitting: true,
    outdir: '/',
    plugins: [workspace],
    logLevel: 'silent',
  });
  const files = new Map<string, Uint8Array>(bundle.outputFiles.map((file) => [file.path, file.contents]));
  files.set('/', await readFile(here('page/index.html')));
  const server: Server = createServer((request, response) => {
    const body = files.get(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    if (!body) {
      response.writeHead(404).end();
      return;
    }
    const type = request.url === '/' ? 'text/html' : 'text/javascript';
    response.writeHead(200, { 'content-type': `${type}; charset=utf-8` }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
