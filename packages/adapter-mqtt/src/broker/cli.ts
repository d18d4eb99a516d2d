#!/usr/bin/env node
// `handset-broker`: runs the embedded broker until SIGINT/SIGTERM, logging JSON lines to stderr.
import { parseArgs } from 'node:util';
import { jsonLinesLogger, type Logger } from '@handset/core';
import { checkTokenPolicy, type TokenPolicy } from '@handset/token';
import { type BrokerLimits, DEFAULT_BROKER_LIMITS, startBroker } from './broker.js';
import { type BrokerTurnOptions, createTurnIssuer } from './turn-grants.js';

const USAGE = `usage: handset-broker [--port <tcp, default 1883>] [--ws-port <ws, default 9001>] [--host 127.0.0.1]
                      [--secret <at least 16 bytes> | env HANDSET_TOKEN_SECRET] [--dev] [--quiet]
                      [--token-max-lifetime <seconds, default 604800>] [--token-clock-skew <seconds, default 60>]
                      [--limit <name>=<positive integer>]...   (names: ${Object.keys(DEFAULT_BROKER_LIMITS).join(', ')})
                      [--allowed-origin <origin>]...   (browser origins for the WebSocket listener:
                      https://app.example.com, http://localhost:* for every port, * for every origin; default: every origin,
                      or in --dev loopback pages only)
A TURN relay (coturn with use-auth-secret) is configured from the environment only, so its secret never
shows on a command line: HANDSET_TURN_URLS (comma-separated turn: URLs), HANDSET_TURN_SECRET (coturn's
static-auth-secret), HANDSET_TURN_TTL (credential lifetime in seconds, default 86400). Each connection
then gets fresh TURN credentials on its own ice topic, and again before they expire.`;

/** `--limit maxConnectionsPerAddress=1000`: each of DEFAULT_BROKER_LIMITS may be set by its own name. */
function parseLimits(values: string[]): Partial<BrokerLimits> {
  const limits: Partial<Record<keyof BrokerLimits, number>> = {};
  for (const value of values) {
    const [name, raw] = value.split('=', 2);
    const amount = Number(raw);
    if (name === undefined || !(name in DEFAULT_BROKER_LIMITS) || !Number.isInteger(amount) || amount <= 0) {
      process.stderr.write(`handset-broker: bad limit ${JSON.stringify(value)}\n${USAGE}\n`);
      process.exit(2);
    }
    limits[name as keyof BrokerLimits] = amount;
  }
  return limits;
}

/**
 * The token secret: the flag, else HANDSET_TOKEN_SECRET (shared with handset-signal), else the
 * deprecated HANDSET_BROKER_SECRET, which still works but says so.
 */
function tokenSecret(flag: string | undefined): string | undefined {
  if (flag) return flag;
  if (process.env.HANDSET_TOKEN_SECRET) return process.env.HANDSET_TOKEN_SECRET;
  const legacy = process.env.HANDSET_BROKER_SECRET;
  if (legacy) {
    process.stderr.write(
      'handset-broker: HANDSET_BROKER_SECRET is deprecated; set HANDSET_TOKEN_SECRET (the same secret handset-signal reads)\n',
    );
  }
  return legacy || undefined;
}

/** `--token-max-lifetime` / `--token-clock-skew`, checked by the token code's own rule (else exit 2). */
function parseTokenPolicy(
  maxLifetime: string | undefined,
  clockSkew: string | undefined,
): TokenPolicy | undefined {
  if (maxLifetime === undefined && clockSkew === undefined) return undefined;
  // An empty flag is not 0 seconds: NaN, which the check refuses.
  const seconds = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));
  const policy: TokenPolicy = {
    ...(maxLifetime !== undefined ? { maxLifetimeSeconds: seconds(maxLifetime) } : {}),
    ...(clockSkew !== undefined ? { clockSkewSeconds: seconds(clockSkew) } : {}),
  };
  try {
    checkTokenPolicy(policy);
  } catch (error) {
    process.stderr.write(`handset-broker: ${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  return policy;
}

/** HANDSET_TURN_URLS / _SECRET / _TTL (as handset-signal reads them), checked as the broker would (else exit 2). */
function turnOptions(): BrokerTurnOptions | undefined {
  const urls = process.env.HANDSET_TURN_URLS?.split(',')
    .map((url) => url.trim())
    .filter(Boolean);
  const secret = process.env.HANDSET_TURN_SECRET;
  const ttl = process.env.HANDSET_TURN_TTL;
  const refuse = (message: string): never => {
    process.stderr.write(`handset-broker: ${message}\n${USAGE}\n`);
    process.exit(2);
  };
  if (!urls?.length && !secret) return undefined;
  if (!urls?.length || !secret) return refuse('HANDSET_TURN_URLS and HANDSET_TURN_SECRET go together');
  const options: BrokerTurnOptions = { urls, secret, ...(ttl ? { ttlSeconds: Number(ttl) } : {}) };
  try {
    createTurnIssuer(options);
  } catch (error) {
    refuse(`HANDSET_TURN_*: ${(error as Error).message}`);
  }
  return options;
}

function parsePort(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`handset-broker: bad port ${JSON.stringify(value)}\n${USAGE}\n`);
    process.exit(2);
  }
  return port;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'ws-port': { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      secret: { type: 'string' },
      dev: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      limit: { type: 'string', multiple: true, default: [] },
      'token-max-lifetime': { type: 'string' },
      'token-clock-skew': { type: 'string' },
      'allowed-origin': { type: 'string', multiple: true },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const secret = tokenSecret(values.secret);
  if (!values.dev && !secret) {
    process.stderr.write(
      `handset-broker: a secret is required (--secret or HANDSET_TOKEN_SECRET), or --dev\n${USAGE}\n`,
    );
    process.exit(2);
  }
  const turn = turnOptions();
  const tokenPolicy = parseTokenPolicy(values['token-max-lifetime'], values['token-clock-skew']);
  const lines = jsonLinesLogger((line) => process.stderr.write(line), 'debug');
  // --quiet keeps errors and the dev-mode warning, which must never go unseen.
  const logger: Logger = (level, event, fields) => {
    if (values.quiet && level !== 'error' && event !== 'dev-mode') return;
    lines(level, event, fields);
  };
  const broker = await startBroker({
    host: values.host,
    port: parsePort(values.port, 1883),
    wsPort: parsePort(values['ws-port'], 9001),
    dev: values.dev,
    logger,
    limits: parseLimits(values.limit),
    ...(tokenPolicy ? { tokenPolicy } : {}),
    ...(values['allowed-origin'] ? { allowedOrigins: values['allowed-origin'] } : {}),
    ...(secret ? { secret } : {}),
    ...(turn ? { turn } : {}),
  });
  const stop = () => {
    broker.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  // Handlers first, banner second: whoever waits for the banner may stop the broker at once, and a SIGTERM
  // that lands before a handler exists kills the process with no clean close (and no exit code).
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.stdout.write(`handset-broker listening on ${broker.tcpUrl} and ${broker.wsUrl}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`handset-broker: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
