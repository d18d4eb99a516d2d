// Which local addresses listen on a TCP port, read from /proc/net (Linux): shows the bind address of a
// server without sending a packet anywhere but loopback.
import { readFileSync } from 'node:fs';

const LISTEN = '0A';

function ipv4(hex: string): string {
  // /proc/net/tcp writes the address as one little-endian 32-bit number.
  const bytes = hex.match(/../g) ?? [];
  return bytes
    .reverse()
    .map((byte) => Number.parseInt(byte, 16))
    .join('.');
}

function rows(file: string): string[][] {
  try {
    return readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/));
  } catch {
    return [];
  }
}

/** The addresses with a listening socket on `port`: e.g. ['127.0.0.1'], or ['0.0.0.0'] for all interfaces. */
export function listeningAddresses(port: number): string[] {
  const found: string[] = [];
  for (const [file, v6] of [
    ['/proc/net/tcp', false],
    ['/proc/net/tcp6', true],
  ] as const) {
    for (const fields of rows(file)) {
      const [address, portHex] = (fields[1] ?? '').split(':');
      if (fields[3] !== LISTEN || Number.parseInt(portHex ?? '', 16) !== port || !address) continue;
      found.push(v6 ? `[${address}]` : ipv4(address));
    }
  }
  return found;
}
