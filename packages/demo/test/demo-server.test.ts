// The one-process demo server: the page on http and https (certificate made once, then reused), the
// dev token endpoint, and the WebSocket forwarding that refuses paths it does not know.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { get as httpsGet } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type DemoServer, startDemoServer } from '../server/demo-server.js';

let certDir: string;
let server: DemoServer;

beforeAll(async () => {
  certDir = await mkdtemp(join(tmpdir(), 'handset-demo-certs-'));
  server = await startDemoServer({ host: '127.0.0.1', httpPort: 0, httpsPort: 0, certDir });
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

/** Sends a raw WebSocket upgrade request and returns the server's status line. */
function upgradeStatusLine(baseUrl: string, path: string): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
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
