import { verifyToken as verifyForMqtt } from '@handset/adapter-mqtt/broker';
import { verifyToken as verifyForWs } from '@handset/adapter-ws/server';
import { createToken } from '@handset/token';
import { describe, expect, it } from 'vitest';

const SECRET = 'one-secret-shared-by-both-transports';

describe('one token for both transports', () => {
  it('is accepted by the WebSocket server and the MQTT broker alike', () => {
    const now = Date.UTC(2026, 0, 1);
    const token = createToken('alice', SECRET, 60, now);
    const expected = { ok: true, userId: 'alice', expiresAt: now + 60_000 };
    expect(verifyForWs(token, SECRET, now)).toEqual(expected);
    expect(verifyForMqtt(token, SECRET, now)).toEqual(expected);
  });
});
