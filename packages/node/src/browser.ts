// What bundlers pick for `@handset/node` in a browser build: werift needs Node's UDP sockets and the media
// helpers read files, so each entry function explains that instead of failing somewhere inside werift.
import { HandsetError } from '@handset/core';

function nodeOnly(name: string): never {
  throw HandsetError.invalidState(
    `${name} from @handset/node runs in Node only; in a browser, give createPhone the page's own ` +
      'RTCPeerConnection and navigator.mediaDevices.getUserMedia',
  );
}

export function createNodePorts(): never {
  return nodeOnly('createNodePorts');
}

export function createWeriftPeerConnectionFactory(): never {
  return nodeOnly('createWeriftPeerConnectionFactory');
}

export function createWeriftGetUserMedia(): never {
  return nodeOnly('createWeriftGetUserMedia');
}

export function createEnumerateDevices(): never {
  return nodeOnly('createEnumerateDevices');
}

export function loadMediaFile(): never {
  return nodeOnly('loadMediaFile');
}

export function testPattern(): never {
  return nodeOnly('testPattern');
}

export function recordRemoteStream(): never {
  return nodeOnly('recordRemoteStream');
}

export function waitForRemoteMedia(): never {
  return nodeOnly('waitForRemoteMedia');
}
