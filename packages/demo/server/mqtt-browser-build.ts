// mqtt.js ships its browser build as an ES module with only a default export, so `import { connect }
// from 'mqtt'` (how @handset/adapter-mqtt imports it) fails in the page. This Vite plugin serves
// `mqtt` in the browser as that build plus the named exports the adapter uses.
import { createRequire } from 'node:module';
import type { Plugin } from 'vite';

const VIRTUAL_ID = '\0handset-mqtt-browser';

export function mqttBrowserBuild(): Plugin {
  // mqtt is the adapter's dependency, not the demo's: resolve it from where the adapter finds it.
  const fromAdapter = createRequire(new URL('../../adapter-mqtt/package.json', import.meta.url));
  const browserBuild = fromAdapter.resolve('mqtt/dist/mqtt.esm');
  return {
    name: 'handset-mqtt-browser-build',
    enforce: 'pre',
    resolveId(id) {
      return id === 'mqtt' ? VIRTUAL_ID : null;
    },
    load(id) {
      if (id !== VIRTUAL_ID) return null;
      return [
        `import mqtt from ${JSON.stringify(browserBuild)};`,
        'export const { connect, connectAsync, MqttClient, Client, Store } = mqtt;',
        'export default mqtt;',
      ].join('\n');
    },
  };
}
