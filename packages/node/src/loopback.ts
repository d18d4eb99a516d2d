// Keeps every werift peer on 127.0.0.1: test traffic never leaves the machine and never waits for STUN.
import type { CandidatePair, RTCPeerConnectionConfig } from 'werift';

export const LOOPBACK_ADDRESS = '127.0.0.1';

/** True for an ICE candidate line (`candidate:… <address> <port> typ …`) whose address is 127.0.0.1. */
export function isLoopbackCandidate(candidateLine: string): boolean {
  // Fields: foundation component transport priority address port "typ" type …
  return candidateLine.trim().split(/\s+/)[4] === LOOPBACK_ADDRESS;
}

function isLoopbackPair(pair: CandidatePair): boolean {
  return pair.localCandidate.host === LOOPBACK_ADDRESS && pair.remoteCandidate.host === LOOPBACK_ADDRESS;
}

/**
 * werift options for a peer that gathers exactly one host candidate, on a UDP socket bound to 127.0.0.1.
 * `iceUseIpv4: false` stops werift from enumerating the machine's interfaces (it would open one socket per
 * address, all bound to 127.0.0.1 by `iceInterfaceAddresses` but advertised under the interface address);
 * `iceAdditionalHostAddresses` then adds loopback back as the only host address.
 */
export function loopbackPeerConfig(): RTCPeerConnectionConfig {
  return {
    iceServers: [],
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: [LOOPBACK_ADDRESS],
    iceInterfaceAddresses: { udp4: LOOPBACK_ADDRESS },
    iceFilterCandidatePair: isLoopbackPair,
    // One transport for all media, as browsers end up with against a bundling peer: fewer sockets, one ICE run.
    // Without it werift 0.24.4 leaves UDP sockets open after close() and a Node program that made a call
    // does not exit (test/node-process.test.ts).
    bundlePolicy: 'max-bundle',
  };
}
