// What the embedded broker holds for a client that does not read: aedes keeps writing to a socket that
// is not draining, so without a bound one stalled device makes the broker buffer everything sent to it.
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { BoundLogger as Log } from '@handset/core';
import type { AedesPublishPacket, Client } from 'aedes';

/**
 * An aedes `authorizeForward` hook: a delivery that would take the client's unsent bytes past
 * `maxQueuedBytes` is dropped and the client's connection is closed (`slow-consumer`); its session and
 * Last Will then take over, as for any dropped link.
 */
export function createSlowConsumerGuard(
  maxQueuedBytes: number,
  socketUnder: (conn: Duplex) => Socket | undefined,
  log: Log,
): (client: Client, packet: AedesPublishPacket) => AedesPublishPacket | null {
  return (client, packet) => {
    const conn = client.conn as unknown as Duplex;
    // A WebSocket stream hands bytes on to its TCP socket: count both.
    const queued = conn.writableLength + (socketUnder(conn)?.writableLength ?? 0);
    if (queued + packet.payload.length <= maxQueuedBytes) return packet;
    log('warn', 'connection-closed', { clientId: client.id, code: 'slow-consumer', queuedBytes: queued });
    // No DISCONNECT packet: it would wait behind the very bytes the client is not reading.
    client.close();
    return null;
  };
}
