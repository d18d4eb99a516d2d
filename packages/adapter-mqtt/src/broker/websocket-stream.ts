// The byte stream aedes reads and writes for one MQTT-over-WebSocket client: `ws`'s stream, but each
// batch of writes leaves as one WebSocket message instead of one message per write.
import type { Duplex } from 'node:stream';
import { createWebSocketStream, type WebSocket } from 'ws';

/**
 * aedes (through mqtt-packet) writes one packet as several small writes (header, length, topic,
 * properties, payload) inside a cork that ends on the next tick. `ws`'s stream has no `_writev`, so each
 * write became its own WebSocket message: a delivered envelope reached a browser as ~10 messages, each a
 * task of its own in the page and in the browser's network process, which a busy machine delays one by
 * one. With `_writev`, what one tick writes (one packet, or several) is one message, as over TCP.
 */
export function createMqttWebSocketStream(socket: WebSocket): Duplex {
  const stream = createWebSocketStream(socket);
  stream._writev = (chunks, callback) => {
    // The stream decodes strings to Buffers before buffering them (decodeStrings is on).
    socket.send(Buffer.concat(chunks.map(({ chunk }) => chunk as Buffer)), callback);
  };
  return stream;
}
