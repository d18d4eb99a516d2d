// The lifetime and clock rules hold where a user meets them: a correctly signed token that never expires,
// or that starts in the future, is refused by the real WebSocket server and the real embedded broker.
import { createHmac } from 'node:crypto';
import { connect } from 'node:net';
import { startBroker } from '@handset/adapter-mqtt/broker';
import { startSignalServer } from '@handset/adapter-ws/server';
import { describe, expect, it } from 'vitest';

const SECRET = 'one-secret-shared-by-both-transports';
const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token signed with the servers' own secret, with whatever claims an attacker who leaked one chose. */
function signedToken(claims: Record<string, unknown>): string {
  const body = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${body}.${createHmac('sha256', SECRET).update(body).digest('base64url')}`;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const HOSTILE = [
  [
    'exp 1e300',
    'token-lifetime-too-long',
    () => signedToken({ sub: 'alice', iat: nowSeconds(), exp: 1e300 }),
  ],
  [
    'nbf an hour ahead',
    'token-not-yet-valid',
    () => signedToken({ sub: 'alice', nbf: nowSeconds() + 3600, exp: nowSeconds() + 7200 }),
  ],
] as const;

/** The server's error frame and close code after a `hello` with `token`, over a raw WebSocket. */
function wsRefusal(url: string, token: string): Promise<{ code: unknown; closeCode: number }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    let code: unknown;
    socket.onopen = () => socket.send(JSON.stringify({ kind: 'hello', token }));
    socket.onmessage = (event) => {
      const frame = JSON.parse(String(event.data)) as { kind?: string; code?: unknown };
      if (frame.kind === 'error') code = frame.code;
    };
    socket.onclose = (event) => resolve({ code, closeCode: event.code });
    socket.onerror = () => reject(new Error('the WebSocket failed before closing'));
  });
}

function mqttString(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** An MQTT 3.1.1 CONNECT written by hand (user name + token as password); resolves with the CONNACK code. */
function mqttConnackCode(port: number, username: string, token: string): Promise<number> {
  const body = Buffer.concat([
    mqttString('MQTT'),
    Buffer.from([4, 0xc2, 0, 60]), // level 4; user name, password, clean session; keep-alive 60 s
    mqttString(`${username}:laptop`), // the client id rule: <user id>:<device>
    mqttString(username),
    mqttString(token),
  ]);
  const lengthBytes: number[] = [];
  for (let rest = body.length; ; ) {
    const byte = rest % 128;
    rest = Math.floor(rest / 128);
    lengthBytes.push(rest > 0 ? byte | 0x80 : byte);
    if (rest === 0) break;
  }
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(Buffer.concat([Buffer.from([0x10, ...lengthBytes]), body]));
    });
    socket.once('data', (reply: Buffer) => {
      socket.destroy();
      if (reply[0] !== 0x20) reject(new Error(`not a CONNACK: ${reply.toString('hex')}`));
      else resolve(reply[3] ?? -1);
    });
    socket.once('error', reject);
  });
}

describe('servers refuse correctly signed tokens the policy does not accept', () => {
  it.each(HOSTILE)(
    'the WebSocket server refuses a token with %s as %s, close 4001',
    async (_l, reason, token) => {
      const server = await startSignalServer({ secret: SECRET, host: '127.0.0.1', port: 0 });
      try {
        expect(await wsRefusal(server.url, token())).toEqual({ code: reason, closeCode: 4001 });
      } finally {
        await server.close({ drainMs: 0 });
      }
    },
  );

  it.each(HOSTILE)(
    'the embedded broker refuses a token with %s (CONNACK 4, %s logged)',
    async (_l, reason, token) => {
      const refusals: unknown[] = [];
      const broker = await startBroker({
        secret: SECRET,
        port: 0,
        wsPort: null,
        logger: (_level, event, fields) => {
          if (event === 'auth-refused') refusals.push(fields.reason);
        },
      });
      try {
        expect(await mqttConnackCode(broker.port!, 'alice', token())).toBe(4);
        expect(String(refusals[0])).toContain(reason);
      } finally {
        await broker.close();
      }
    },
  );
});

/** Whether the server welcomes a `hello` with `token` (else it refuses and closes). */
function wsWelcomed(url: string, token: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.onopen = () => socket.send(JSON.stringify({ kind: 'hello', token }));
    socket.onmessage = (event) => {
      const frame = JSON.parse(String(event.data)) as { kind?: string };
      if (frame.kind === 'welcome') {
        resolve(true);
        socket.close();
      }
    };
    socket.onclose = () => resolve(false);
    socket.onerror = () => reject(new Error('the WebSocket failed before closing'));
  });
}

describe('each server takes a tokenPolicy', () => {
  const ONE_HOUR = { maxLifetimeSeconds: 3600 };
  const twoHours = () => signedToken({ sub: 'alice', iat: nowSeconds(), exp: nowSeconds() + 7200 });
  const halfHour = () => signedToken({ sub: 'alice', iat: nowSeconds(), exp: nowSeconds() + 1800 });

  it('the WebSocket server refuses a token that outlives its maxLifetimeSeconds, and accepts a shorter one', async () => {
    const server = await startSignalServer({ secret: SECRET, tokenPolicy: ONE_HOUR });
    try {
      // Two hours is well inside the default 7 days: only the custom policy refuses it.
      expect(await wsRefusal(server.url, twoHours())).toEqual({
        code: 'token-lifetime-too-long',
        closeCode: 4001,
      });
      expect(await wsWelcomed(server.url, halfHour())).toBe(true);
    } finally {
      await server.close({ drainMs: 0 });
    }
  });

  it('the embedded broker refuses a token that outlives its maxLifetimeSeconds, and accepts a shorter one', async () => {
    const refusals: unknown[] = [];
    const broker = await startBroker({
      secret: SECRET,
      port: 0,
      wsPort: null,
      tokenPolicy: ONE_HOUR,
      logger: (_level, event, fields) => {
        if (event === 'auth-refused') refusals.push(fields.reason);
      },
    });
    try {
      expect(await mqttConnackCode(broker.port!, 'alice', twoHours())).toBe(4);
      expect(String(refusals[0])).toContain('token-lifetime-too-long');
      expect(await mqttConnackCode(broker.port!, 'alice', halfHour())).toBe(0);
    } finally {
      await broker.close();
    }
  });

  it('a policy the token code refuses stops either server at start, not every login later', async () => {
    const bad = { maxLifetimeSeconds: 0 };
    await expect(startSignalServer({ secret: SECRET, tokenPolicy: bad })).rejects.toMatchObject({
      code: 'invalid-argument',
    });
    await expect(
      startBroker({ secret: SECRET, port: 0, wsPort: null, tokenPolicy: bad }),
    ).rejects.toMatchObject({
      code: 'invalid-argument',
    });
  });
});
