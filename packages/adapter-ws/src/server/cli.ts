#!/usr/bin/env node
// `handset-signal`: runs the signaling server from a shell, logging JSON lines to stderr.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { HandsetError, jsonLinesLogger, type LogLevel } from '@handset/core';
import { checkTokenPolicy, type TokenPolicy } from '@handset/token';
import { SignalingError } from '../signaling-error.js';
import type { RedisClusterOptions } from './options.js';
import { startSignalServer } from './signal-server.js';
import { createTurnRelay, type TurnRelayOptions } from './turn-relay.js';

const usage = `Usage: handset-signal --port <port> [--host 127.0.0.1] [--secret <secret> | --dev]
                      [--redis redis://127.0.0.1:6379 [--redis-username <name>] [--redis-ca <file>]]
                      [--allowed-origin <origin> ...] [--log-level debug|info|warn|error]
                      [--token-max-lifetime <seconds>] [--token-clock-skew <seconds>]

  --port            TCP port (0 picks a free one)
  --host            address to listen on (default 127.0.0.1)
  --secret          HMAC secret for tokens, at least 16 bytes (or env HANDSET_TOKEN_SECRET)
  --dev             issue tokens for any user at GET /dev-token?user=<id> (never in production)
  --redis           share routing with other handset-signal processes through this Redis
                    (rediss:// for TLS); every process needs the same secret
  --redis-username  Redis ACL user; its password (or the requirepass one) comes from env
                    HANDSET_REDIS_PASSWORD, never the command line, which any local user can read
  --redis-ca        PEM file of the CA that signed Redis's TLS certificate
  --allowed-origin  a browser origin allowed to connect (repeat for several; https://app.example.com,
                    http://localhost:* for every port, * for all). Default: all origins, or in --dev
                    loopback pages only
  --log-level       default info
  --token-max-lifetime  longest token lifetime accepted, in seconds (default 604800, 7 days)
  --token-clock-skew    how far a token's iat/nbf may lie ahead of this clock, in seconds (default 60)

A TURN relay (coturn with use-auth-secret) is configured from the environment only, so its secret
never shows on a command line: HANDSET_TURN_URLS (comma-separated turn: URLs), HANDSET_TURN_SECRET
(coturn's static-auth-secret), HANDSET_TURN_TTL (credential lifetime in seconds, default 86400).
Each user then gets fresh TURN credentials in its welcome and again before they expire.

Exit codes: 0 stopped by SIGINT/SIGTERM, 1 could not start (port in use, Redis unreachable),
2 bad arguments or configuration (a secret shorter than 16 bytes).
`;

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** A usage error: printed with the usage text, exit code 2. */
function usageError(message: string): never {
  process.stderr.write(`handset-signal: ${message}\n\n${usage}`);
  process.exit(2);
}

function redisOptions(values: {
  redis?: string;
  'redis-username'?: string;
  'redis-ca'?: string;
}): RedisClusterOptions | undefined {
  if (!values.redis) {
    if (values['redis-username'] || values['redis-ca'])
      usageError('--redis-username and --redis-ca need --redis');
    return undefined;
  }
  const password = process.env.HANDSET_REDIS_PASSWORD;
  let ca: Buffer | undefined;
  if (values['redis-ca']) {
    try {
      ca = readFileSync(values['redis-ca']);
    } catch (error) {
      usageError(`cannot read --redis-ca: ${(error as Error).message}`);
    }
  }
  return {
    url: values.redis,
    ...(values['redis-username'] ? { username: values['redis-username'] } : {}),
    ...(password ? { password } : {}),
    ...(ca ? { tls: { ca } } : {}),
  };
}

/** `--token-max-lifetime` / `--token-clock-skew`, checked by the token code's own rule (else exit 2). */
function tokenPolicyOptions(values: {
  'token-max-lifetime'?: string;
  'token-clock-skew'?: string;
}): TokenPolicy | undefined {
  // An empty flag is not 0 seconds: NaN, which the check refuses.
  const seconds = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));
  const maxLifetime = values['token-max-lifetime'];
  const clockSkew = values['token-clock-skew'];
  if (maxLifetime === undefined && clockSkew === undefined) return undefined;
  const policy: TokenPolicy = {
    ...(maxLifetime !== undefined ? { maxLifetimeSeconds: seconds(maxLifetime) } : {}),
    ...(clockSkew !== undefined ? { clockSkewSeconds: seconds(clockSkew) } : {}),
  };
  try {
    checkTokenPolicy(policy);
  } catch (error) {
    usageError(`--token-max-lifetime / --token-clock-skew: ${(error as Error).message}`);
  }
  return policy;
}

/** HANDSET_TURN_URLS / _SECRET / _TTL, checked as the server would check them (else exit 2). */
function turnOptions(): TurnRelayOptions | undefined {
  const urls = process.env.HANDSET_TURN_URLS?.split(',')
    .map((url) => url.trim())
    .filter(Boolean);
  const secret = process.env.HANDSET_TURN_SECRET;
  const ttl = process.env.HANDSET_TURN_TTL;
  if (!urls?.length && !secret) return undefined;
  if (!urls?.length || !secret) usageError('HANDSET_TURN_URLS and HANDSET_TURN_SECRET go together');
  const options: TurnRelayOptions = { urls, secret, ...(ttl ? { ttlSeconds: Number(ttl) } : {}) };
  try {
    createTurnRelay(options);
  } catch (error) {
    usageError(`HANDSET_TURN_*: ${(error as Error).message}`);
  }
  return options;
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (error) {
    usageError((error as Error).message);
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const port = Number(values.port);
  if (values.port === undefined || !Number.isInteger(port) || port < 0 || port > 65_535) {
    usageError('--port must be a port number');
  }
  const secret = values.secret ?? secretFromEnvironment();
  if (!secret && !values.dev) {
    usageError('give --secret (or HANDSET_TOKEN_SECRET), or --dev');
  }
  const level = LOG_LEVELS.find((l) => l === values['log-level']);
  if (!level) usageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  const redis = redisOptions(values);
  const tokenPolicy = tokenPolicyOptions(values);
  const turn = turnOptions();
  const server = await startSignalServer({
    port,
    host: values.host,
    dev: values.dev,
    logger: jsonLinesLogger((line) => process.stderr.write(line), level),
    ...(secret ? { secret } : {}),
    ...(redis ? { redis } : {}),
    ...(tokenPolicy ? { tokenPolicy } : {}),
    ...(turn ? { turn } : {}),
    ...(values['allowed-origin'] ? { allowedOrigins: values['allowed-origin'] } : {}),
  });
  if (values.dev) {
    process.stderr.write(
      `\n  *** handset-signal is in DEV MODE: ${server.httpUrl}/dev-token?user=<id> gives anyone a token. ***\n\n`,
    );
  }
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  // Handlers first, banner second: whoever waits for the banner may stop the server at once, and a SIGTERM
  // that lands before a handler exists kills the process with no clean close (and no exit code).
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.stdout.write(`handset-signal listening on ${server.url}\n`);
}

function parse() {
  return parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      secret: { type: 'string' },
      dev: { type: 'boolean', default: false },
      redis: { type: 'string' },
      'redis-username': { type: 'string' },
      'redis-ca': { type: 'string' },
      'allowed-origin': { type: 'string', multiple: true },
      'log-level': { type: 'string', default: 'info' },
      'token-max-lifetime': { type: 'string' },
      'token-clock-skew': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
}

main().catch((error: unknown) => {
  // Bad configuration (a short secret) is the user's to fix: usage exit code 2, like a missing flag.
  const badConfiguration = error instanceof HandsetError && error.code === 'invalid-argument';
  const reason = error instanceof SignalingError ? ` (${error.reason})` : '';
  process.stderr.write(
    `handset-signal: ${error instanceof Error ? error.message : String(error)}${reason}\n`,
  );
  process.exit(badConfiguration ? 2 : 1);
});

/**
 * The token secret from the environment: HANDSET_TOKEN_SECRET, the variable handset-broker reads too (one
 * token logs a user in on either transport), else the deprecated HANDSET_SECRET, which still works but says so.
 */
function secretFromEnvironment(): string | undefined {
  if (process.env.HANDSET_TOKEN_SECRET) return process.env.HANDSET_TOKEN_SECRET;
  const legacy = process.env.HANDSET_SECRET;
  if (legacy) {
    process.stderr.write(
      'handset-signal: HANDSET_SECRET is deprecated; set HANDSET_TOKEN_SECRET (the same secret handset-broker reads)\n',
    );
  }
  return legacy || undefined;
}
