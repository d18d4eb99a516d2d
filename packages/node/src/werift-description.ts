// How werift's objects and options map to the shapes core's PeerConnectionPort speaks: descriptions,
// candidate events, the werift configuration built from a phone's ICE servers and policy.
import type { IceCandidateEventPort, PeerConnectionConfig, SdpType } from '@handset/core';
import type { RTCIceCandidate, RTCPeerConnectionConfig, RTCSessionDescription } from 'werift';
import { loopbackPeerConfig } from './loopback.js';

export type LocalDescriptionType = 'offer' | 'answer' | 'pranswer' | 'rollback';

const LOCAL_DESCRIPTION_TYPES: readonly string[] = ['offer', 'answer', 'pranswer', 'rollback'];

export function isLocalDescriptionType(type: string): type is LocalDescriptionType {
  return LOCAL_DESCRIPTION_TYPES.includes(type);
}

export function closedError(): DOMException {
  return new DOMException('The RTCPeerConnection is closed', 'InvalidStateError');
}

export function plainDescription(description: RTCSessionDescription): { type: SdpType; sdp: string } {
  return { type: description.type as SdpType, sdp: description.sdp };
}

export function candidateEvent(candidate: RTCIceCandidate): IceCandidateEventPort {
  return {
    candidate: {
      candidate: candidate.candidate,
      sdpMid: candidate.sdpMid ?? null,
      sdpMLineIndex: candidate.sdpMLineIndex ?? null,
      usernameFragment: candidate.usernameFragment ?? null,
    },
  };
}

/** What every Handset werift peer uses: one transport for all media, as browsers end up with against a
 * bundling peer. Without it werift 0.24.4 leaves UDP sockets open after close() and a Node program that made
 * a call does not exit (test/node-process.test.ts). */
const BASE_CONFIG: RTCPeerConnectionConfig = { iceServers: [], bundlePolicy: 'max-bundle' };

/**
 * werift options with the phone's ICE servers and policy on top. `loopbackOnly`: one host candidate on
 * 127.0.0.1 (a TURN relay the test started on 127.0.0.1 is used too: its relay candidates are loopback).
 */
export function weriftConfig(
  config: PeerConnectionConfig | undefined,
  loopbackOnly: boolean,
): RTCPeerConnectionConfig {
  const base = loopbackOnly ? loopbackPeerConfig() : BASE_CONFIG;
  if (!config) return { ...base };
  return {
    ...base,
    iceServers: config.iceServers.map((server) => ({
      urls: server.urls,
      ...(server.username !== undefined ? { username: server.username } : {}),
      ...(server.credential !== undefined ? { credential: server.credential } : {}),
    })),
    ...(config.iceTransportPolicy ? { iceTransportPolicy: config.iceTransportPolicy } : {}),
  };
}
