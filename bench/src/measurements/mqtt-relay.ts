// 3. MQTT relay: Handset's MQTT transport through the embedded aedes broker and through mosquitto, same
// load and measures as the WebSocket relay. The load process runs one transport per user.
import {
  benchSecret,
  startLoadProcess,
  startServerProcess,
  stopServerProcess,
} from '../harness/processes.js';
import type { BenchContext, Measurement, Section } from '../harness/section.js';
import { formatNumber, ratio } from '../harness/stats.js';
import { type Mosquitto, mosquittoVersion, startMosquitto } from '../servers/mosquitto.js';
import { measureRelayRun, RelaySeries, type RelaySize } from './relay-run.js';

type BrokerKind = 'aedes' | 'mosquitto';

function sizes(quick: boolean): RelaySize {
  return quick
    ? { pairs: 10, window: 8, total: 5_000, rate: 200, count: 500 }
    : { pairs: 25, window: 16, total: 15_000, rate: 500, count: 2_000 };
}

const PASSWORD = 'bench-password';

async function run(context: BenchContext): Promise<Section> {
  const size = sizes(context.quick);
  const secret = benchSecret();
  const prefixes = Array.from({ length: context.runs }, (_, round) => `m${round}-`);
  const users = prefixes.flatMap((prefix) =>
    Array.from({ length: size.pairs * 2 }, (_, i) => `${prefix}${i}`),
  );
  const series = new RelaySeries<BrokerKind>();
  const load = startLoadProcess();
  const aedes = await startServerProcess({ kind: 'aedes', secret });
  let mosquitto: Mosquitto | null = null;
  try {
    mosquitto = await startMosquitto(users, PASSWORD);
    const brokers: Record<BrokerKind, { url: string; pid: number; credentials: unknown }> = {
      aedes: { url: aedes.url, pid: aedes.child.pid, credentials: { kind: 'token', secret } },
      mosquitto: {
        url: mosquitto.url,
        pid: mosquitto.pid,
        credentials: { kind: 'password', password: PASSWORD },
      },
    };
    for (let round = 0; round < context.runs; round += 1) {
      const order: BrokerKind[] = round % 2 === 0 ? ['aedes', 'mosquitto'] : ['mosquitto', 'aedes'];
      for (const kind of order) {
        const broker = brokers[kind];
        await load.call(
          'openMqtt',
          {
            url: broker.url,
            prefix: prefixes[round],
            count: size.pairs * 2,
            credentials: broker.credentials,
            concurrency: 20,
          },
          120_000,
        );
        const result = await measureRelayRun(load, broker.pid, size);
        series.add(kind, round, result);
        context.log(`mqtt ${kind} run ${round + 1}: ${RelaySeries.describe(result)}`);
      }
    }
  } finally {
    await load.stop();
    await stopServerProcess(aedes);
    await mosquitto?.stop();
  }
  const ours = series.median('aedes', 'perSecond');
  const peer = series.median('mosquitto', 'perSecond');
  const oursCpu = series.median('aedes', 'cpuPerEnvelope');
  const peerCpu = series.median('mosquitto', 'cpuPerEnvelope');
  const finding = `embedded aedes broker ${oursCpu.toFixed(0)} µs CPU per envelope vs mosquitto ${peerCpu.toFixed(0)} µs (${ratio(oursCpu, peerCpu)}; throughput ${ratio(ours, peer)} of mosquitto's)`;
  return {
    title: '3. MQTT relay (Handset MQTT transport)',
    parameters: `${size.pairs} pairs (${size.pairs * 2} transports), ~1 KB \`answer\` envelopes, QoS 1; throughput: ${size.window} in flight per pair, ${formatNumber(size.total)} per run; latency: ${size.rate} envelopes/s, ${formatNumber(size.count)} per run`,
    tables: [
      {
        columns: ['broker', ...RelaySeries.columns.map((c) => (c.includes('ratio') ? `${c} to aedes` : c))],
        rows: [
          [
            'embedded aedes broker (@handset/adapter-mqtt/broker, token auth + ACL)',
            ...series.row('aedes', 'aedes'),
          ],
          [
            `mosquitto ${mosquittoVersion()} (shipped ACL, password file)`,
            ...series.row('mosquitto', 'aedes'),
          ],
        ],
      },
    ],
    notes: [
      'The load process runs the same `createMqttTransport` for both brokers; only the credentials differ (a signed token for aedes, a password for mosquitto).',
      "The broker's CPU time is read from /proc for both (aedes runs in its own Node process, mosquitto is the daemon).",
      "This compares brokers under Handset's transport, not Handset with a peer library: PeerJS has no MQTT signaling.",
      ...(['aedes', 'mosquitto'] as const).flatMap((kind) => series.saturationNote(kind, kind) ?? []),
      ...series.problems,
    ],
    ahead: oursCpu <= peerCpu ? [finding] : [],
    behind: oursCpu > peerCpu ? [finding] : [],
  };
}

export const mqttRelay: Measurement = { name: 'mqtt', run };
