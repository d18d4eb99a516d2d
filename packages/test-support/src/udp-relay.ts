// A lossy network between two werift peers on 127.0.0.1: every candidate a peer learns is rewritten to a
// "mirror" port of this relay, which forwards datagrams with a drop rate and a delay a test can change while
// the call runs (tc netem is unavailable here). `cut()` kills the current mirrors — the path is gone —
// and the candidates of an ICE restart get fresh ones: a new path.
import { createSocket, type Socket } from 'node:dgram';
import type {
  IceCandidateInit,
  PeerConnectionFactory,
  PeerConnectionPort,
  SessionDescription,
} from '@handset/core';
import { LOOPBACK_ADDRESS } from './loopback-address.js';

export interface RelayConditions {
  /** Fraction of datagrams dropped, each direction (0–1). */
  dropRate: number;
  /** Added one-way delay in milliseconds. */
  delayMs: number;
}

export interface RelayCounts {
  forwarded: number;
  dropped: number;
}

/** One relay port standing for one real peer port; traffic sent to it reaches that port. */
interface Mirror {
  readonly socket: Socket;
  readonly port: number;
  readonly realPort: number;
  alive: boolean;
}

/** Bounds what a runaway test can make the relay hold. */
const MAX_MIRRORS = 64;

export class UdpRelay {
  conditions: RelayConditions = { dropRate: 0, delayMs: 0 };
  readonly counts: RelayCounts = { forwarded: 0, dropped: 0 };
  private readonly mirrors: Mirror[] = [];
  /** The live mirror of each real port, made on first use (binding is asynchronous, so it is a promise). */
  private readonly live = new Map<number, Promise<Mirror>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  /** Sets loss and delay from now on, for datagrams not yet forwarded. */
  set(conditions: Partial<RelayConditions>): void {
    this.conditions = { ...this.conditions, ...conditions };
  }

  /** The path is gone: current mirrors drop everything. Candidates rewritten from now on get new mirrors. */
  cut(): void {
    for (const mirror of this.mirrors) mirror.alive = false;
    this.live.clear();
  }

  /** The relay port that stands for `realPort` on the current path. */
  mirrorPortFor(realPort: number): Promise<number> {
    return this.mirrorFor(realPort).then((mirror) => mirror.port);
  }

  /** Rewrites each `127.0.0.1 <port>` candidate in an SDP or a candidate line to its mirror. */
  async rewrite(text: string): Promise<string> {
    const pattern = new RegExp(
      `(candidate:\\S+ \\d+ udp \\d+ )${LOOPBACK_ADDRESS.replaceAll('.', '\\.')} (\\d+)`,
      'gi',
    );
    const ports = [...text.matchAll(pattern)].map((match) => Number(match[2]));
    const mirrors = new Map<number, number>();
    for (const port of ports) mirrors.set(port, await this.mirrorPortFor(port));
    return text.replace(
      pattern,
      (_, head: string, port: string) => `${head}${LOOPBACK_ADDRESS} ${mirrors.get(Number(port))}`,
    );
  }

  /** Wraps a factory: each peer connection it makes sees its peer only through this relay. */
  wrap(factory: PeerConnectionFactory): PeerConnectionFactory {
    return (config) => relayedPeerConnection(factory(config), this);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all(
      this.mirrors.map((mirror) => new Promise<void>((done) => mirror.socket.close(() => done()))),
    );
  }

  private mirrorFor(realPort: number): Promise<Mirror> {
    let mirror = this.live.get(realPort);
    if (!mirror) {
      mirror = this.openMirror(realPort);
      this.live.set(realPort, mirror);
    }
    return mirror;
  }

  private openMirror(realPort: number): Promise<Mirror> {
    if (this.closed) return Promise.reject(new Error('relay closed'));
    if (this.mirrors.length >= MAX_MIRRORS) return Promise.reject(new Error('relay: too many mirrors'));
    const socket = createSocket('udp4');
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, LOOPBACK_ADDRESS, () => {
        const mirror: Mirror = { socket, port: socket.address().port, realPort, alive: true };
        this.mirrors.push(mirror);
        socket.on('message', (data, from) => this.forward(mirror, data, from.port));
        resolve(mirror);
      });
    });
  }

  /** A datagram from `fromPort` to `mirror` goes to the mirror's real port, from the sender's own mirror. */
  private forward(mirror: Mirror, data: Buffer, fromPort: number): void {
    if (!mirror.alive || this.closed) return void this.counts.dropped++;
    if (Math.random() < this.conditions.dropRate) return void this.counts.dropped++;
    this.mirrorFor(fromPort)
      .then((source) => {
        const send = () => {
          if (this.closed) return;
          this.counts.forwarded++;
          source.socket.send(data, mirror.realPort, LOOPBACK_ADDRESS);
        };
        if (this.conditions.delayMs <= 0) return send();
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          send();
        }, this.conditions.delayMs);
        this.timers.add(timer);
      })
      .catch(() => void this.counts.dropped++);
  }
}

/**
 * The peer connection as the call machine sees it, with every remote candidate (trickled, or in a remote
 * description) pointing at the relay. Rewrites are asynchronous, so remote operations keep their order on a
 * chain of their own.
 */
function relayedPeerConnection(pc: PeerConnectionPort, relay: UdpRelay): PeerConnectionPort {
  let chain: Promise<unknown> = Promise.resolve();
  const inOrder = <T>(run: () => Promise<T>): Promise<T> => {
    const next = chain.then(run);
    chain = next.catch(() => undefined);
    return next;
  };
  return new Proxy(pc, {
    get(target, key) {
      if (key === 'setRemoteDescription') {
        return (description: SessionDescription) =>
          inOrder(async () =>
            target.setRemoteDescription({ ...description, sdp: await relay.rewrite(description.sdp) }),
          );
      }
      if (key === 'addIceCandidate') {
        return (candidate: IceCandidateInit) =>
          inOrder(async () =>
            target.addIceCandidate({ ...candidate, candidate: await relay.rewrite(candidate.candidate) }),
          );
      }
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
