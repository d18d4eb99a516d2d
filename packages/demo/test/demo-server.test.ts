// The one-process demo server: the page on http and https (certificate made once, then reused), the
// dev token endpoint, and the WebSocket forwarding that refuses paths it does not know; both serve only
// the page's own origin, and the server listens on loopback unless told otherwise.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { get as httpsGet } from 'node:https';
import { type AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type DemoServer, startDemoServer } from '../server/demo-server.js';
import { DemoServerError } from '../server/demo-server-error.js';
import { listeningAddresses } from './listening-addresses.js';

let certDir: string;
let server: DemoServer;
const logs: { level: string; event: string; [field: string]: unknown }[] = [];

beforeAll(async () => {
  certDir = await mkdtemp(join(tmpdir(), 'handset-demo-certs-'));
  server = await startDemoServer({
    host: '127.0.0.1',
    httpPort: 0,
    httpsPort: 0,
    certDir,
    logger: (level, event, fields) => logs.push({ ...fields, level, event }),
  });
});

afterAll(async () => {
  await server?.close();
  await rm(certDir, { recursive: true, force: true });
});

function httpsText(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    httpsGet(url, { ca }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

/**
 * Sends a raw WebSocket upgrade request and returns the server's status line. `origin` is what a browser
 * would send for a page of that origin; `host` overrides the Host header (as a DNS-rebound name would).
 */
function upgradeStatusLine(
  baseUrl: string,
  path: string,
  headers: { origin?: string; host?: string } = {},
): Promise<string> {
  const { hostname, port, host } = new URL(baseUrl);
  const origin = headers.origin === undefined ? '' : `Origin: ${headers.origin}\r\n`;
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: ${headers.host ?? host}\r\n${origin}` +
          'Upgrade: websocket\r\nConnection: Upgrade\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
    });
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (received.includes('\r\n')) {
        resolve(received.slice(0, received.indexOf('\r\n')));
        socket.destroy();
      }
    });
    socket.on('error', reject);
  });
}

describe('logging', () => {
  test('one core Logger hears the demo and both servers inside it, each under its own namespace', () => {
    expect(logs).toContainEqual(
      expect.objectContaining({ ns: 'handset:demo', event: 'certificate-created' }),
    );
    expect(logs).toContainEqual(
      expect.objectContaining({ ns: 'handset:ws', level: 'warn', event: 'dev-mode' }),
    );
    expect(logs).toContainEqual(
      expect.objectContaining({ ns: 'handset:mqtt-broker', level: 'warn', event: 'dev-mode' }),
    );
  });
});

describe('the page', () => {
  test('is served over http with the labelled form', async () => {
    const response = await fetch(server.httpUrl);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<label for="my-id">My ID</label>');
    expect(html).toContain('<label for="peer-id">Peer ID</label>');
  });

  test('is served over https with a certificate for 127.0.0.1, made once and kept', async () => {
    const cert = await readFile(join(certDir, 'demo-cert.pem'), 'utf8');
    const response = await httpsText(server.httpsUrl!, cert);
    expect(response.status).toBe(200);
    expect(response.body).toContain('Handset');

    const second = await startDemoServer({ host: '127.0.0.1', httpPort: 0, httpsPort: 0, certDir });
    try {
      expect(await readFile(join(certDir, 'demo-cert.pem'), 'utf8')).toBe(cert);
      expect((await httpsText(second.httpsUrl!, cert)).status).toBe(200);
    } finally {
      await second.close();
    }
  });
});

describe('/demo/token', () => {
  test('issues a signaling token for a user id', async () => {
    const response = await fetch(new URL('/demo/token?user=10000', server.httpUrl));
    expect(response.status).toBe(200);
    expect((await response.text()).length).toBeGreaterThan(20);
  });

  test('answers 400 without a user id', async () => {
    const response = await fetch(new URL('/demo/token', server.httpUrl));
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('user id');
  });

  test('answers 400 for an empty user id', async () => {
    expect((await fetch(new URL('/demo/token?user=', server.httpUrl))).status).toBe(400);
  });

  test('answers 400 for a user id longer than 128 characters', async () => {
    const response = await fetch(new URL(`/demo/token?user=${'9'.repeat(129)}`, server.httpUrl));
    expect(response.status).toBe(400);
  });
});

describe('WebSocket forwarding', () => {
  test('/signal reaches the signaling server', async () => {
    expect(await upgradeStatusLine(server.httpUrl, '/signal')).toBe('HTTP/1.1 101 Switching Protocols');
  });

  test('/mqtt reaches the MQTT broker', async () => {
    expect(await upgradeStatusLine(server.httpUrl, '/mqtt')).toBe('HTTP/1.1 101 Switching Protocols');
  });

  test('an upgrade on any other path is answered 404', async () => {
    expect(await upgradeStatusLine(server.httpUrl, '/elsewhere')).toBe('HTTP/1.1 404 Not Found');
  });
});

/** The origin a browser reports for a page loaded from `url`. */
const originOf = (url: string) => new URL(url).origin;

describe('only the page itself may use the forwards and the token endpoint', () => {
  test.each(['/signal', '/mqtt'])('%s accepts an upgrade from the page (its own origin)', async (path) => {
    const origin = originOf(server.httpUrl);
    expect(await upgradeStatusLine(server.httpUrl, path, { origin })).toBe(
      'HTTP/1.1 101 Switching Protocols',
    );
  });

  test.each(['/signal', '/mqtt'])('%s refuses an upgrade from a foreign website with 403', async (path) => {
    expect(await upgradeStatusLine(server.httpUrl, path, { origin: 'https://evil.example' })).toBe(
      'HTTP/1.1 403 Forbidden',
    );
  });

  test.each(['/signal', '/mqtt'])('%s refuses an upgrade from another local port with 403', async (path) => {
    const otherPort = `http://127.0.0.1:${Number(new URL(server.httpUrl).port) + 1}`;
    expect(await upgradeStatusLine(server.httpUrl, path, { origin: otherPort })).toBe(
      'HTTP/1.1 403 Forbidden',
    );
  });

  test('/signal refuses an http page origin on the https listener (another scheme is another origin)', async () => {
    const sameHostOverHttp = `http://${new URL(server.httpsUrl!).host}`;
    expect(await upgradeOverTls(server.httpsUrl!, '/signal', sameHostOverHttp)).toBe(
      'HTTP/1.1 403 Forbidden',
    );
    expect(await upgradeOverTls(server.httpsUrl!, '/signal', originOf(server.httpsUrl!))).toBe(
      'HTTP/1.1 101 Switching Protocols',
    );
  });

  test.each(['/signal', '/mqtt'])('%s refuses a DNS-rebound host name with 403', async (path) => {
    const rebound = `evil.example:${new URL(server.httpUrl).port}`;
    expect(
      await upgradeStatusLine(server.httpUrl, path, { host: rebound, origin: `http://${rebound}` }),
    ).toBe('HTTP/1.1 403 Forbidden');
  });

  test('/demo/token refuses a foreign origin with 403 foreign-origin', async () => {
    const response = await fetch(new URL('/demo/token?user=10000', server.httpUrl), {
      headers: { origin: 'https://evil.example' },
    });
    expect(response.status).toBe(403);
    expect(await response.text()).toBe('foreign-origin');
  });

  test('/demo/token refuses a DNS-rebound host name with 403 unknown-host', async () => {
    const status = await rawGetStatus(server.httpUrl, '/demo/token?user=10000', 'evil.example');
    expect(status).toBe('HTTP/1.1 403 Forbidden');
  });

  test('/demo/token answers the page itself (same origin)', async () => {
    const response = await fetch(new URL('/demo/token?user=10000', server.httpUrl), {
      headers: { origin: originOf(server.httpUrl) },
    });
    expect(response.status).toBe(200);
  });
});

describe('where it listens', () => {
  test('on another address, the page there may use /signal and /mqtt (the servers behind accept it too)', async () => {
    // 127.0.0.2 stands in for a LAN address: not one of the loopback names, but reachable only from here.
    const other = await startDemoServer({ host: '127.0.0.2', httpPort: 0, httpsPort: null });
    try {
      const origin = originOf(other.httpUrl);
      for (const path of ['/signal', '/mqtt']) {
        expect(await upgradeStatusLine(other.httpUrl, path, { origin })).toBe(
          'HTTP/1.1 101 Switching Protocols',
        );
      }
      expect(other.pageHosts).toContain('127.0.0.2');
    } finally {
      await other.close();
    }
  });

  test('on 127.0.0.1 by default, not on the LAN', async () => {
    const local = await startDemoServer({ httpPort: 0, httpsPort: null });
    try {
      expect(new URL(local.httpUrl).hostname).toBe('127.0.0.1');
      expect((await fetch(local.httpUrl)).status).toBe(200);
      expect(listeningAddresses(Number(new URL(local.httpUrl).port))).toEqual(['127.0.0.1']);
      expect(local.pageHosts).toEqual(['localhost', '127.0.0.1', '[::1]']);
    } finally {
      await local.close();
    }
  });
});

/** An upgrade request over TLS to the https listener, with an Origin; returns the status line. */
function upgradeOverTls(baseUrl: string, path: string, origin: string): Promise<string> {
  const { hostname, port, host } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    // The self-signed certificate is checked in the https page test; here only the Origin rule matters.
    const socket = connectTls({ host: hostname, port: Number(port), rejectUnauthorized: false }, () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nOrigin: ${origin}\r\nUpgrade: websocket\r\n` +
          'Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
    });
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (received.includes('\r\n')) {
        resolve(received.slice(0, received.indexOf('\r\n')));
        socket.destroy();
      }
    });
    socket.on('error', reject);
  });
}

/** A plain GET with a chosen Host header (fetch does not let a page or a test set Host). */
function rawGetStatus(baseUrl: string, path: string, host: string): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    });
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (received.includes('\r\n')) {
        resolve(received.slice(0, received.indexOf('\r\n')));
        socket.destroy();
      }
    });
    socket.on('error', reject);
  });
}

describe('a port that is taken', () => {
  test('fails the start with DemoServerError port-in-use, naming the listener and the port', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const busy = (blocker.address() as AddressInfo).port;
    try {
      const failure = await startDemoServer({ httpPort: busy, httpsPort: null }).then(
        () => null,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(DemoServerError);
      expect(failure).toMatchObject({ code: 'port-in-use', listener: 'http', host: '127.0.0.1', port: busy });
    } finally {
      blocker.close();
    }
  });
});
