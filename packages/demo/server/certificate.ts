// The https listener's certificate: self-signed, made on first run and kept (gitignored) so a phone on
// the LAN only has to accept it once. It names localhost and every address this machine had then.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface TlsPair {
  key: string;
  cert: string;
  /** True when this run made it (the dev command says so, with the fingerprint). */
  created: boolean;
  fingerprint: string | null;
}

const VALID_DAYS = 825; // The longest validity browsers accept for a TLS server certificate.

function machineAddresses(): string[] {
  const addresses = new Set(['127.0.0.1', '::1']);
  for (const list of Object.values(networkInterfaces())) {
    for (const entry of list ?? []) if (entry.family === 'IPv4') addresses.add(entry.address);
  }
  return [...addresses];
}

async function readPair(dir: string): Promise<TlsPair | null> {
  try {
    const [key, cert] = await Promise.all([
      readFile(join(dir, 'demo-key.pem'), 'utf8'),
      readFile(join(dir, 'demo-cert.pem'), 'utf8'),
    ]);
    return { key, cert, created: false, fingerprint: null };
  } catch {
    return null;
  }
}

export async function loadOrCreateCertificate(dir: string): Promise<TlsPair> {
  const existing = await readPair(dir);
  if (existing) return existing;
  const notBeforeDate = new Date();
  const notAfterDate = new Date(notBeforeDate.getTime() + VALID_DAYS * 24 * 60 * 60 * 1000);
  const pems = await generate([{ name: 'commonName', value: 'Handset demo (self-signed)' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          ...machineAddresses().map((ip) => ({ type: 7 as const, ip })),
        ],
      },
    ],
  });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'demo-key.pem'), pems.private, { mode: 0o600 });
  await writeFile(join(dir, 'demo-cert.pem'), pems.cert);
  return { key: pems.private, cert: pems.cert, created: true, fingerprint: pems.fingerprint };
}
