// Why the embedded broker refused a client, a subscription or a publish: a closed set of codes, logged
// with the refusal (MQTT itself only carries a reason code back to the client).

export type BrokerRefusalCode =
  /** No token, or a token that is malformed, badly signed, expired, or for another user. */
  | 'bad-credentials'
  /** A username that cannot be a Handset user id (wildcards, slashes, too long...). */
  | 'invalid-user-id'
  /** A client id that is not `<authenticated user id>:<device>` (another user's, or none). */
  | 'client-id-not-bound'
  /** A publish after the connection's token expired (the broker also disconnects it then, 0xA0). */
  | 'token-expired'
  /** Refused before login: this IP address already holds `maxConnectionsPerAddress` connections. */
  | 'too-many-connections-from-address'
  /** Refused before login: `maxPendingConnections` connections are already in their handshake. */
  | 'too-many-pending-connections'
  /** Closed: no successful CONNECT within `handshakeDeadlineMs` of accepting the socket. */
  | 'handshake-timeout'
  /** Closed: a packet (CONNECT included) larger than `maxPacketBytes`, cut while its header is read. */
  | 'packet-too-large'
  /** A topic outside what the ACL grants this user. */
  | 'topic-not-allowed'
  /** A payload on an inbox that is not a Handset envelope, or a presence payload that is not one of ours. */
  | 'invalid-payload'
  /** An envelope whose `from`/`to` disagree with the topic's sender/addressee segments. */
  | 'sender-mismatch';

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
