// `npm start`: the demo on http://localhost:8000/ and https://localhost:8443/, until Ctrl-C or SIGTERM.
// Ports and address from the environment: HANDSET_HTTP_PORT, HANDSET_HTTPS_PORT (0 = off), HANDSET_HOST
// (127.0.0.1 unless told; `--lan` or HANDSET_HOST=0.0.0.0 exposes it), HANDSET_EXTRA_HOSTS (a,b).
import { networkInterfaces } from 'node:os';
import { type DemoServer, startDemoServer } from './demo-server.js';
import { DemoServerError } from './demo-server-error.js';
import { exposureWarning, isLoopbackHost } from './exposure.js';

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

/** The demo issues a token for any id to whoever reaches it: loopback unless the user asks for the LAN. */
function listenHost(): string {
  if (process.argv.includes('--lan')) return '0.0.0.0';
  return process.env.HANDSET_HOST || '127.0.0.1';
}

/** How long a shutdown may take before the process exits anyway (a stuck socket must not keep it up). */
const SHUTDOWN_DEADLINE_MS = 3000;

const httpsPort = portFromEnv('HANDSET_HTTPS_PORT', 8443);
const host = listenHost();
const extraHosts = (process.env.HANDSET_EXTRA_HOSTS ?? '')
  .split(',')
  .map((name) => name.trim())
  .filter((name) => name.length > 0);
/** What to change when the demo cannot listen, in one sentence. */
function startFailure(error: DemoServerError): string {
  const variable = error.listener === 'http' ? 'HANDSET_HTTP_PORT' : 'HANDSET_HTTPS_PORT';
  switch (error.code) {
    case 'port-in-use':
      return `port ${error.port} on ${error.host} is in use (is another demo still running?): stop that program, or pick another port with ${variable}=<port> (0 picks a free one).`;
    case 'address-unavailable':
      return `${error.host} is not an address of this machine: check HANDSET_HOST.`;
    case 'listen-failed':
      return `could not listen on ${error.host}:${error.port} (${String((error.cause as Error | undefined)?.message ?? error.cause)}): pick another port with ${variable}.`;
  }
}

let server: DemoServer;
try {
  server = await startDemoServer({
    host,
    extraHosts,
    httpPort: portFromEnv('HANDSET_HTTP_PORT', 8000),
    httpsPort: httpsPort === 0 ? null : httpsPort,
    // The banner below already says the servers are in dev mode: print the demo's own news and any error.
    logger: (level, event, fields) => {
      if (fields.ns === 'handset:demo') console.log(`[handset] ${String(fields.message ?? event)}`);
      else if (level === 'error') console.error(`[handset] ${JSON.stringify({ level, event, ...fields })}`);
    },
  });
} catch (error) {
  if (!(error instanceof DemoServerError)) throw error;
  console.error(`[handset] ${startFailure(error)}`);
  process.exit(1);
}

let stopping = false;
function stop(): void {
  if (stopping) process.exit(1);
  stopping = true;
  // A guard, not the plan: close() ends in well under a second; the process must end even if it did not.
  setTimeout(() => {
    console.error('[handset] shutdown took too long; exiting anyway');
    process.exit(1);
  }, SHUTDOWN_DEADLINE_MS).unref();
  void server.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('[handset] shutdown failed:', error);
      process.exit(1);
    },
  );
}
// Handlers before the banner: whoever waits for the banner may stop the demo at once.
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

console.log(`
  Handset demo is running (signaling server, MQTT broker and page, in dev mode).

  Open  ${server.httpUrl}  in two browser windows.
  Log in as 10000 in one and 20000 in the other, enter the other's ID as Peer ID, then Call and Answer.`);
if (isLoopbackHost(host)) {
  console.log(`${server.httpsUrl ? `\n  Also on ${server.httpsUrl} (self-signed certificate).` : ''}
  This machine only: to let another device on your network join, restart with  npm start -- --lan
  (or HANDSET_HOST=0.0.0.0); anyone on the network can then log in as any ID.`);
} else if (server.httpsUrl) {
  const port = new URL(server.httpsUrl).port;
  const lan = host === '0.0.0.0' ? lanAddresses().map((ip) => `https://${ip}:${port}/`) : [];
  console.log(`
  From another device on your network (camera access needs https; accept the self-signed certificate):
    ${[server.httpsUrl, ...lan].join('\n    ')}`);
}
const warning = exposureWarning(host, server.pageHosts);
if (warning) console.warn(`\n${warning.replace(/^/gm, '  ')}`);
console.log('\n  Ctrl-C stops everything.\n');
