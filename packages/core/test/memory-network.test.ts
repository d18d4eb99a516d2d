import { describeSignalingTransport } from '../src/conformance/index.js';
import { createMemoryNetwork } from '../src/testing/memory-network.js';

describeSignalingTransport('the in-memory network', async () => {
  const network = createMemoryNetwork();
  const transports: { close(): void }[] = [];
  return {
    async connect(userId) {
      const transport = network.connect(userId);
      transports.push(transport);
      return transport;
    },
    async close() {
      for (const t of transports) t.close();
    },
  };
});
