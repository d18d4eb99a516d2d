// One connection attempt of the MQTT transport, as core's link runs it: token, CONNECT, CONNACK, our own
// inbox and presence, and the broker's refusals and disconnects turned into the link's reports.
import { type TokenSource, TransportError } from '@handset/core';
import { type LinkConnection, resolveToken, type WireReport } from '@handset/core/link';
import type { IDisconnectPacket, MqttClient, Packet } from 'mqtt';

/** CONNACK reason codes that mean the credentials will not do (3.1.1 return codes 4/5, MQTT 5 0x86/0x87/0x8C). */
const CREDENTIALS_REFUSED: ReadonlySet<number> = new Set([4, 5, 0x86, 0x87, 0x8c]);
/** CONNACK "client identifier not valid" (3.1.1 code 2, MQTT 5 0x85): the broker wants another client id form. */
const CLIENT_ID_REFUSED: ReadonlySet<number> = new Set([2, 0x85]);
/** MQTT 5 DISCONNECT "maximum connect time": the broker ends a connection whose token expired. */
const MAXIMUM_CONNECT_TIME = 0xa0;
/** MQTT 5 DISCONNECT "server shutting down". */
const SERVER_SHUTTING_DOWN = 0x8b;
const URL_SCHEMES = ['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'tls:', 'ws:', 'wss:'];

export interface MqttWireHost {
  token: TokenSource | undefined;
  /** A configuration error found up front: every attempt reports it (and the link closes). */
  problem: TransportError | null;
  /**
   * The client with this password, ready to dial: made (not yet connecting, `fresh`) on the first call,
   * the same client after that.
   */
  prepare(password: string | undefined): { client: MqttClient; fresh: boolean };
  /** Starts the connection: a fresh client connects, a used one reconnects keeping its stores. */
  dial(client: MqttClient, fresh: boolean): void;
  /** After CONNACK: subscribe to our inbox and say we are online. False if the broker refused our inbox. */
  setUp(): Promise<boolean>;
  log(level: 'debug' | 'info' | 'warn' | 'error', event: string, fields?: Record<string, unknown>): void;
}

/** A `url` mqtt.js can never connect to, as `invalid-configuration`. */
export function urlProblem(url: string): TransportError | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    return TransportError.of('invalid-configuration', `url is not a URL: ${String(url).slice(0, 80)}`, {
      cause,
    });
  }
  if (URL_SCHEMES.includes(parsed.protocol)) return null;
  return TransportError.of(
    'invalid-configuration',
    `url must be mqtt(s):// or ws(s)://, not ${parsed.protocol}`,
  );
}

export function connectMqtt(host: MqttWireHost, report: (event: WireReport) => void): LinkConnection {
  let client: MqttClient | null = null;
  let tornDown = false;
  /** How the broker ended this connection, learnt before its close: a refusal, or the token's expiry. */
  let ending: TransportError | 'token-expired' | null = null;
  const lost = (error?: TransportError | null) =>
    report(error ? { type: 'wire.lost', error } : { type: 'wire.lost' });

  const onPacketSend = (packet: Packet) => {
    if (packet.cmd === 'connect') report({ type: 'wire.connected' });
  };
  const onConnect = () => {
    host.setUp().then(
      (granted) => {
        if (tornDown) return;
        if (granted) report({ type: 'wire.authenticated' });
        else
          lost(
            TransportError.of(
              'invalid-configuration',
              'the broker refused our own inbox (check its ACL and topicPrefix)',
            ),
          );
      },
      (error: unknown) => {
        // The link dropped while setting up: its close event reports it.
        host.log('debug', 'setup-interrupted', { error: String(error) });
      },
    );
  };
  const onError = (error: Error & { code?: unknown }) => {
    const code = typeof error.code === 'number' ? error.code : undefined;
    if (code !== undefined && CREDENTIALS_REFUSED.has(code))
      ending = TransportError.of('token-refused', `the broker refused the credentials: ${error.message}`, {
        wireCode: code,
      });
    else if (code !== undefined && CLIENT_ID_REFUSED.has(code))
      ending = TransportError.of(
        'invalid-configuration',
        `the broker refused the client id: ${error.message}`,
        { wireCode: code },
      );
    else host.log('debug', 'link-error', { error: error.message, code });
  };
  const onDisconnect = (packet: IDisconnectPacket) => {
    const code = packet.reasonCode ?? 0;
    host.log('info', 'broker-disconnect', { code });
    if (code === MAXIMUM_CONNECT_TIME) ending = 'token-expired';
    else if (code === SERVER_SHUTTING_DOWN)
      ending = TransportError.of('server-shutdown', 'the broker is shutting down', { wireCode: code });
    else if (code !== 0)
      ending = TransportError.of('refused-by-server', `the broker disconnected us (${code})`, {
        wireCode: code,
      });
  };
  const onClose = () => {
    if (ending === 'token-expired') report({ type: 'wire.reauthenticate' });
    else lost(ending);
  };

  function detach(from: MqttClient): void {
    from.off('packetsend', onPacketSend);
    from.off('connect', onConnect);
    from.off('error', onError);
    from.off('disconnect', onDisconnect);
    from.off('close', onClose);
  }

  async function start(): Promise<void> {
    if (host.problem) {
      lost(host.problem);
      return;
    }
    const token =
      host.token === undefined ? ({ ok: true, token: undefined } as const) : await resolveToken(host.token);
    if (tornDown) return;
    if (!token.ok) {
      lost(token.error);
      return;
    }
    const { client: prepared, fresh } = host.prepare(token.token);
    client = prepared;
    prepared.on('packetsend', onPacketSend);
    prepared.on('connect', onConnect);
    prepared.on('error', onError);
    prepared.on('disconnect', onDisconnect);
    prepared.on('close', onClose);
    host.dial(prepared, fresh);
  }

  void start();

  return {
    close() {
      tornDown = true;
      if (!client) return;
      detach(client);
      // An attempt given up before CONNACK is cut; a connected client is ended by the transport's close.
      if (!client.connected) client.stream?.destroy();
    },
  };
}
