// Handset's embedded MQTT broker (aedes with token auth and the topic ACL), TCP and WebSocket.
import { startBroker } from '@handset/adapter-mqtt/broker';
import type { RunningServer } from './running-server.js';

export async function startAedesBroker(options: { secret: string }): Promise<RunningServer> {
  const broker = await startBroker({ secret: options.secret, port: 0, wsPort: 0 });
  return {
    url: broker.tcpUrl ?? '',
    ...(broker.wsUrl ? { wsUrl: broker.wsUrl } : {}),
    close: () => broker.close(),
  };
}
