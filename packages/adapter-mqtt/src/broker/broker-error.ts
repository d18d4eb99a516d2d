// Why the embedded broker refused a client, a subscription or a publish: a closed set of codes, logged
// with the refusal (MQTT itself only carries a reason code back to the client).

/**
 * Every refusal code, with what the client sees and why (the README's refusal table is checked against
 * it). Codes before login end the connection; the others refuse one packet and keep the link.
 */
export const BROKER_REFUSAL_CODES = {
  'too-many-connections-from-address':
    'socket closed at once: this IP address already holds `maxConnectionsPerAddress` connections',
  'too-many-pending-connections':
    'socket closed: the oldest of `maxPendingConnections` connections still in their handshake, making room for a new one',
  'handshake-timeout': 'socket closed: no successful login within `handshakeDeadlineMs` of accepting it',
  'packet-too-large':
    'a packet (CONNECT included) over `maxPacketBytes`, cut as soon as its header announces its length: DISCONNECT 0x95 after login, socket closed before',
  'slow-consumer':
    'connection closed: a delivery would take what the client has not read past `maxQueuedBytesPerConnection`',
  'invalid-user-id': 'CONNACK 0x86: the username cannot be a Handset user id (wildcards, "/", too long)',
  'client-id-not-bound': "CONNACK 0x85: the client id is not `<username>:<device>` (another user's, or none)",
  'bad-credentials':
    'CONNACK 0x86: no token, or one that is malformed, badly signed, expired or for another user',
  'token-expired':
    "PUBACK 0x87: a publish after the connection's token expired (the broker disconnects it then, 0xA0)",
  'topic-not-allowed': 'SUBACK / PUBACK 0x87: a topic outside what the rules grant this user',
  'invalid-payload': 'PUBACK 0x87: not a Handset envelope on an inbox, or presence other than online/offline',
  'sender-mismatch': "PUBACK 0x87: the envelope's `from`/`to` disagree with the topic's sender/addressee",
  'reserved-device':
    "PUBACK 0x87: the envelope's `fromDevice` is one of core's `RESERVED_DEVICE_IDS` (`network`, `broker`, `server`), which only answers made for an absent device carry",
} as const;

export type BrokerRefusalCode = keyof typeof BROKER_REFUSAL_CODES;

export class BrokerRefusal extends Error {
  override readonly name = 'BrokerRefusal';

  constructor(
    readonly code: BrokerRefusalCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
