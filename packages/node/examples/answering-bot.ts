// An answering bot: logs in to a Handset WebSocket signaling server, picks up every call, plays a greeting
// (a tone), records the caller to a WebM file and hangs up after a few seconds. Run it with
//   node --import tsx examples/answering-bot.ts --signal ws://127.0.0.1:8787/ --token-url 'http://…/token?user=30000' --user 30000
// It prints one JSON line per step on stdout. With --once it exits after the first call.
import { parseArgs } from 'node:util';
import { createWsTransport } from '@handset/adapter-ws';
import { type CallView, createPhone, type MediaKinds } from '@handset/core';
import { createNodePorts, type RemoteRecording, recordRemoteStream, testPattern, tone } from '@handset/node';
import { WebSocket } from 'ws';

const { values: args } = parseArgs({
  options: {
    signal: { type: 'string' },
    'token-url': { type: 'string' },
    user: { type: 'string', default: 'answering-bot' },
    record: { type: 'string', default: 'caller-%c.webm' },
    'greeting-ms': { type: 'string', default: '1500' },
    'hangup-after-ms': { type: 'string', default: '5000' },
    loopback: { type: 'boolean', default: false },
    camera: { type: 'boolean', default: false },
    once: { type: 'boolean', default: false },
  },
});
const tokenUrl = args['token-url'];
if (!args.signal || !tokenUrl) {
  console.error('usage: answering-bot --signal <ws url> --token-url <url answering a token> [--user id]');
  process.exit(2);
}
const greetingMs = Number(args['greeting-ms']);
const hangupAfterMs = Number(args['hangup-after-ms']);
const log = (event: string, fields: Record<string, unknown> = {}) =>
  console.log(JSON.stringify({ event, ...fields }));

// The bot's one "microphone" is the greeting: a 440 Hz tone, muted once the greeting is over. With
// --camera it shows the test pattern (a moving picture the caller's browser decodes).
const ports = createNodePorts({
  loopbackOnly: args.loopback,
  devices: [
    { deviceId: 'greeting', kind: 'audioinput', label: 'Greeting', source: tone({ frequencyHz: 440 }) },
    ...(args.camera
      ? [
          {
            deviceId: 'pattern',
            kind: 'videoinput' as const,
            label: 'Test pattern',
            source: await testPattern(),
          },
        ]
      : []),
  ],
});
const transport = createWsTransport({
  url: args.signal,
  userId: args.user,
  WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
  token: async () => {
    const response = await fetch(tokenUrl);
    if (!response.ok) throw new Error(`token refused: ${response.status} ${await response.text()}`);
    return response.text();
  },
});
const phone = createPhone({
  userId: args.user,
  transport,
  peerConnectionFactory: ports.peerConnectionFactory,
  getUserMedia: ports.getUserMedia,
  enumerateDevices: ports.enumerateDevices,
  // On one machine with its callers (--loopback), host candidates are all it needs.
  ...(args.loopback ? { iceServers: [] } : {}),
});

// Stop cleanly on a signal from the first line logged on: a supervisor may stop the bot as soon as it speaks.
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());

transport.status$.subscribe((status) => log('signaling', { status }));
phone.events$.subscribe((event) => {
  if (event.type !== 'incoming-call') return;
  log('incoming-call', { callId: event.callId, from: event.peerId });
  offered.set(event.callId, event.media);
  // Without --camera, audio only from the bot; the caller's video is still received and recorded.
  phone.answerCall({ audio: true, video: args.camera && event.media.video });
});

/** What each caller said it sends (its invite): the kinds to record. */
const offered = new Map<string, MediaKinds>();

interface CallInProgress {
  recording: RemoteRecording;
  timers: NodeJS.Timeout[];
}
const calls = new Map<string, CallInProgress>();

phone.call$.subscribe((call: CallView) => {
  if (!call.callId) return;
  if (call.state === 'connected' && !calls.has(call.callId)) onConnected(call.callId, call);
  if (call.state === 'ended') void onEnded(call.callId, call);
});

function onConnected(callId: string, call: CallView): void {
  if (!call.remoteStream) return;
  const path = (args.record ?? 'caller-%c.webm').replace('%c', callId);
  const recording = recordRemoteStream(call.remoteStream, {
    path,
    kinds: offered.get(callId)?.video === false ? ['audio'] : ['audio', 'video'],
  });
  recording.started.then(
    () => log('recording', { callId, path }),
    (error: unknown) => log('recording-failed', { callId, error: String(error) }),
  );
  const timers = [
    setTimeout(() => phone.setMicrophone(false), greetingMs),
    setTimeout(() => phone.hangupCall(), hangupAfterMs),
  ];
  calls.set(callId, { recording, timers });
  log('connected', { callId });
}

async function onEnded(callId: string, call: CallView): Promise<void> {
  const inProgress = calls.get(callId);
  if (!inProgress) return;
  calls.delete(callId);
  offered.delete(callId);
  for (const timer of inProgress.timers) clearTimeout(timer);
  await inProgress.recording.stop();
  log('recorded', {
    callId,
    path: inProgress.recording.path,
    endReason: call.endReason?.code ?? null,
    packets: inProgress.recording.packets,
  });
  if (args.once) await shutdown();
}

async function shutdown(): Promise<void> {
  phone.dispose();
  transport.close();
  await ports.dispose();
  log('stopped');
}
