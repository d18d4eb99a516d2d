// What bundlers pick for `@handset/adapter-mqtt/broker` in a browser build: the broker needs Node's
// sockets, so every entry point explains that instead of failing somewhere inside aedes.
import { HandsetError } from '@handset/core';

function nodeOnly(name: string): never {
  throw HandsetError.invalidState(
    `${name} from @handset/adapter-mqtt/broker runs in Node only; in a browser use createMqttTransport ` +
      'from @handset/adapter-mqtt with a ws:// or wss:// broker URL',
  );
}

export function startBroker(): never {
  return nodeOnly('startBroker');
}

export function createAccessControl(): never {
  return nodeOnly('createAccessControl');
}

export function createToken(): never {
  return nodeOnly('createToken');
}

export function verifyToken(): never {
  return nodeOnly('verifyToken');
}

export function turnCredentials(): never {
  return nodeOnly('turnCredentials');
}
