// One example as the test command builds and serves it: `vite build` with the example's own config
// (its plugins, its dependencies resolved from its own node_modules), then `vite preview` of the output
// on a free port on 127.0.0.1; or as `pnpm dev` serves it (development: React's StrictMode mounts twice).
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, createServer, preview } from 'vite';

export type ExampleName = 'react' | 'vue' | 'typescript';

export interface ServedExample {
  readonly url: string;
  close(): Promise<void>;
}

const exampleRoot = (name: ExampleName) => fileURLToPath(new URL(`../${name}/`, import.meta.url));

export async function buildAndServe(name: ExampleName): Promise<ServedExample> {
  const root = exampleRoot(name);
  const outDir = await mkdtemp(join(tmpdir(), `handset-example-${name}-`));
  // Vitest runs with NODE_ENV=test, which Vite would honour (React's development build): build as
  // `vite build` does from a shell.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ root, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  const server = await preview({
    root,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: true, open: false },
  });
  const { port } = server.httpServer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    async close() {
      await server.close();
      await rm(outDir, { recursive: true, force: true });
    },
  };
}

/** The example under Vite's dev server, as `pnpm dev` runs it. */
export async function serveDev(name: ExampleName): Promise<ServedExample> {
  const server = await createServer({
    root: exampleRoot(name),
    logLevel: 'warn',
    server: { host: '127.0.0.1', port: 0, strictPort: true },
  });
  await server.listen();
  const { port } = server.httpServer!.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => server.close() };
}
