// `npm start`: the demo on http://localhost:8000/ and https://<this machine>:8443/, until Ctrl-C.
// Ports and address from the environment: HANDSET_HTTP_PORT, HANDSET_HTTPS_PORT (0 = off), HANDSET_HOST.
import { networkInterfaces } from 'node:os';
import { startDemoServer } from './demo-server.js';

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`[handset] ${name}=${raw} is not a port number`);
    process.exit(2);
  }
  return port;
}

function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((entry) => entry.family === 'IPv4' && !entry.internal)
    .map((entry) => entry.address);
}

const httpsPort = portFromEnv('HANDSET_HTTPS_PORT', 8443);
// All interfaces by default, so a second device on the LAN can join over https.
const host = process.env.HANDSET_HOST || '0.0.0.0';
const server = await startDemoServer({
  host,
  httpPort: portFromEnv('HANDSET_HTTP_PORT', 8000),
  httpsPort: httpsPort === 0 ? null : httpsPort,
  log: (message) => console.log(`[handset] ${message}`),
});

console.log(`
  Handset demo is running (signaling server, MQTT broker and page, in dev mode).

  Open  ${server.httpUrl}  in two browser windows.
  Log in as 10000 in one and 20000 in the other, enter the other's ID as Peer ID, then Call and Answer.`);
if (server.httpsUrl) {
  const port = new URL(server.httpsUrl).port;
  const lan = host === '0.0.0.0' ? lanAddresses().map((ip) => `https://${ip}:${port}/`) : [];
  console.log(`
  From another device on your network (camera access needs https; accept the self-signed certificate):
    ${[server.httpsUrl, ...lan].join('\n    ')}`);
}
console.log('\n  Ctrl-C stops everything.\n');

let stopping = false;
function stop(): void {
  if (stopping) process.exit(1);
  stopping = true;
  void server.close().then(() => process.exit(0));
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
