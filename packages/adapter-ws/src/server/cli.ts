#!/usr/bin/env node
// `handset-signal`: runs the signaling server from a shell, logging JSON lines to stderr.
import { parseArgs } from 'node:util';
import { HandsetError } from '@handset/core';
import { SignalingError } from '../signaling-error.js';
import { createJsonLogger, type LogLevel } from './logger.js';
import { startSignalServer } from './signal-server.js';

const usage = `Usage: handset-signal --port <port> [--host 127.0.0.1] [--secret <secret> | --dev]
                      [--redis redis://127.0.0.1:6379] [--log-level debug|info|warn|error]

  --port       TCP port (0 picks a free one)
  --host       address to listen on (default 127.0.0.1)
  --secret     HMAC secret for tokens, at least 16 bytes (or env HANDSET_SECRET)
  --dev        issue tokens for any user at GET /dev-token?user=<id> (never in production)
  --redis      share routing with other handset-signal processes through this Redis
  --log-level  default info
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      secret: { type: 'string' },
      dev: { type: 'boolean', default: false },
      redis: { type: 'string' },
      'log-level': { type: 'string', default: 'info' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const port = Number(values.port);
  if (values.port === undefined || !Number.isInteger(port) || port < 0 || port > 65_535) {
    process.stderr.write(`handset-signal: --port must be a port number\n\n${usage}`);
    process.exitCode = 2;
    return;
  }
  const secret = values.secret ?? process.env.HANDSET_SECRET;
  if (!secret && !values.dev) {
    process.stderr.write(`handset-signal: give --secret (or HANDSET_SECRET), or --dev\n\n${usage}`);
    process.exitCode = 2;
    return;
  }
  const level = (['debug', 'info', 'warn', 'error'] as const).find((l) => l === values['log-level']) as
    | LogLevel
    | undefined;
  const server = await startSignalServer({
    port,
    host: values.host,
    dev: values.dev,
    logger: createJsonLogger(level ?? 'info'),
    ...(secret ? { secret } : {}),
    ...(values.redis ? { redis: { url: values.redis } } : {}),
  });
  if (values.dev) {
    process.stderr.write(
      `\n  *** handset-signal is in DEV MODE: ${server.httpUrl}/dev-token?user=<id> gives anyone a token. ***\n\n`,
    );
  }
  process.stdout.write(`handset-signal listening on ${server.url}\n`);
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  // Bad configuration (a short secret) is the user's to fix: usage exit code 2, like a missing flag.
  const usageError = error instanceof HandsetError && error.code === 'invalid-argument';
  const reason = error instanceof SignalingError ? ` (${error.reason})` : '';
  process.stderr.write(
    `handset-signal: ${error instanceof Error ? error.message : String(error)}${reason}\n`,
  );
  process.exit(usageError ? 2 : 1);
});
