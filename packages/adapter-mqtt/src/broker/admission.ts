// Which sockets the embedded broker takes on before they have logged in: a cap per source address, a pool
// of connections still in their handshake (full: the oldest makes room, so a held flood of silent sockets
// cannot lock honest logins out), and a deadline to finish the handshake. Applied to the raw TCP socket of
// both listeners, so a silent socket, a dripped HTTP upgrade and a slow CONNECT are all bounded alike.
import type { Socket } from 'node:net';
import type { BrokerRefusalCode } from './broker-error.js';

export interface AdmissionLimits {
  /** Open connections from one IP address, logged in or not. */
  maxConnectionsPerAddress: number;
  /**
   * Connections that have not completed CONNECT and authentication yet, across the broker. When a new
   * socket finds the pool full, the oldest pending one is closed to make room.
   */
  maxPendingConnections: number;
  /** Time from accepting a socket to a successful CONNACK; after it the socket is destroyed. */
  handshakeDeadlineMs: number;
}

export type AdmissionRefusal = Extract<
  BrokerRefusalCode,
  'too-many-connections-from-address' | 'too-many-pending-connections' | 'handshake-timeout'
>;

export interface Admission {
  /** Takes the socket on (closing the oldest pending one if the pool is full), or destroys it and returns why. */
  admit(socket: Socket): AdmissionRefusal | null;
  /** The socket's client has logged in: it stops counting as pending and its deadline is off. */
  loggedIn(socket: Socket): void;
}

export function createAdmission(
  limits: AdmissionLimits,
  onRefused: (socket: Socket, code: AdmissionRefusal) => void,
): Admission {
  const perAddress = new Map<string, number>();
  /** Pending sockets and their handshake deadline. */
  const pending = new Map<Socket, NodeJS.Timeout>();

  function settle(socket: Socket): void {
    const deadline = pending.get(socket);
    if (deadline === undefined) return;
    clearTimeout(deadline);
    pending.delete(socket);
  }

  function refuse(socket: Socket, code: AdmissionRefusal): AdmissionRefusal {
    settle(socket);
    onRefused(socket, code);
    socket.destroy();
    return code;
  }

  return {
    admit(socket) {
      // An address is missing once the peer has already gone; such a socket is closed anyway.
      const address = socket.remoteAddress ?? '';
      const open = perAddress.get(address) ?? 0;
      if (open >= limits.maxConnectionsPerAddress) return refuse(socket, 'too-many-connections-from-address');
      // Honest handshakes take milliseconds; the oldest pending socket is the likeliest to be held open.
      const [oldest] = pending.keys();
      if (pending.size >= limits.maxPendingConnections && oldest)
        refuse(oldest, 'too-many-pending-connections');
      perAddress.set(address, open + 1);
      pending.set(
        socket,
        setTimeout(() => refuse(socket, 'handshake-timeout'), limits.handshakeDeadlineMs),
      );
      socket.once('close', () => {
        settle(socket);
        const left = (perAddress.get(address) ?? 1) - 1;
        if (left > 0) perAddress.set(address, left);
        else perAddress.delete(address);
      });
      return null;
    },
    loggedIn(socket) {
      settle(socket);
    },
  };
}
