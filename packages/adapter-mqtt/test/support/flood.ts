// Raw-socket tools for the limits tests: MQTT fixed headers that announce huge packets, streaming bytes
// with back-pressure until the broker hangs up, and bounded waits.
import { connect as connectTcp, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { sleep } from './frames.js';

export const MB = 1024 * 1024;
/** Generous bound for "closed at once" or "closed at the deadline" on a shared 2-core machine. */
export const SLACK_MS = 5000;

/** The MQTT fixed header of a packet whose first byte is `firstByte`, announcing `length` bytes to follow. */
export function fixedHeader(firstByte: number, length: number): Buffer {
  const bytes = [firstByte];
  let left = length;
  do {
    let digit = left % 128;
    left = Math.floor(left / 128);
    if (left > 0) digit |= 0x80;
    bytes.push(digit);
  } while (left > 0);
  return Buffer.from(bytes);
}

/** A TCP connection to 127.0.0.1:port, remembered in `opened` so the test can destroy it. */
export function openSocket(port: number, opened: Socket[]): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connectTcp(port, '127.0.0.1');
    opened.push(socket);
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

export function closed(socket: Duplex): Promise<void> {
  return new Promise((resolve) => {
    socket.on('error', () => {});
    if (socket.destroyed) resolve();
    else socket.once('close', () => resolve());
  });
}

/**
 * Streams `total` bytes after `header`, respecting back-pressure, until the peer closes. Returns how many
 * bytes were handed to the socket before it closed.
 */
export async function streamUntilClosed(
  socket: Duplex,
  header: Buffer,
  total: number,
): Promise<{ written: number; closed: boolean }> {
  const chunk = Buffer.alloc(64 * 1024);
  let written = 0;
  let isClosed = false;
  const done = closed(socket).then(() => {
    isClosed = true;
  });
  socket.write(header);
  while (!isClosed && written < total) {
    const more = socket.write(chunk);
    written += chunk.length;
    if (!more) await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), done]);
  }
  await Promise.race([done, sleep(SLACK_MS)]);
  return { written, closed: isClosed };
}

export function withinMs<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    sleep(ms).then(() => {
      throw new Error(`${what} did not happen within ${ms} ms`);
    }),
  ]);
}
