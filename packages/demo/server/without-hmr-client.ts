// The demo serves one Vite behind two listeners (http and https) without an HMR socket, so the page
// must not load Vite's HMR client, which would only fail to connect and log errors. Reload to update.
import type { Plugin } from 'vite';

const HMR_CLIENT_TAG = /<script type="module" src="[^"]*\/@vite\/client"><\/script>\s*/g;

export function withoutHmrClient(): Plugin {
  return {
    name: 'handset-without-hmr-client',
    transformIndexHtml: { order: 'post', handler: (html) => html.replace(HMR_CLIENT_TAG, '') },
  };
}
