// The load process: holds the client connections and runs the engines on command, so the server under
// test has its own process (and core) to itself.
import { serveCommands } from '../harness/child.js';
import { runCalls } from './calls.js';
import { runEcho } from './echo.js';
import { runLatency } from './latency.js';
import { type Link, linkProblems } from './link.js';
import { type MqttCredentials, openMqttLinks } from './mqtt-links.js';
import { openWsLinks, type WsKind } from './ws-links.js';

let links: Link[] = [];

function userIds(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}${index}`);
}

async function openWs(args: unknown): Promise<{ elapsedMs: number; opened: number }> {
  const options = args as {
    kind: WsKind;
    urls: string[];
    prefix: string;
    count: number;
    secret: string;
    concurrency: number;
  };
  closeAll();
  const started = performance.now();
  links = await openWsLinks({ ...options, userIds: userIds(options.prefix, options.count) });
  return { elapsedMs: performance.now() - started, opened: links.length };
}

async function openMqtt(args: unknown): Promise<{ elapsedMs: number; opened: number }> {
  const options = args as {
    url: string;
    prefix: string;
    count: number;
    credentials: MqttCredentials;
    concurrency: number;
  };
  closeAll();
  const started = performance.now();
  links = await openMqttLinks({ ...options, userIds: userIds(options.prefix, options.count) });
  return { elapsedMs: performance.now() - started, opened: links.length };
}

function closeAll(): { closed: number } {
  const closed = links.length;
  for (const link of links) link.close();
  links = [];
  return { closed };
}

function takeProblems(): typeof linkProblems {
  const snapshot = { ...linkProblems };
  linkProblems.errorFrames = 0;
  linkProblems.unexpectedCloses = 0;
  linkProblems.lastError = '';
  return snapshot;
}

serveCommands(
  {
    openWs,
    openMqtt,
    echo: (args) => runEcho(links, args as Parameters<typeof runEcho>[1]),
    latency: (args) => runLatency(links, args as Parameters<typeof runLatency>[1]),
    calls: (args) => runCalls(links, args as Parameters<typeof runCalls>[1]),
    closeAll,
    problems: takeProblems,
  },
  async () => {
    closeAll();
  },
);
