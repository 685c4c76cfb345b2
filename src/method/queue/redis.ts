// The Redis behind the queue: its URL checked, and the server reached once before anything starts, so that a
// wrong address fails in seconds with one clear line instead of ioredis reconnecting forever.
import { Redis } from 'ioredis';

/** How long the first connection may take. */
const CONNECT_TIMEOUT_MS = 5000;

/** A redis:// or rediss:// URL with a host; the error says what a good one looks like. */
export function parseQueueUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`--queue '${url}' is not a URL; give redis://HOST:PORT`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`--queue '${url}': the queue is Redis, give redis://HOST:PORT (or rediss:// for TLS)`);
  if (u.hostname === '') throw new Error(`--queue '${url}': no host; give redis://HOST:PORT`);
  return url;
}

/** The URL without a password, for messages and logs. */
export function displayUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString().replace(/\/$/, '');
}

/** BullMQ's connection options for the URL: workers block on Redis, so commands wait for a reconnect. */
export function connection(url: string): { url: string; maxRetriesPerRequest: null } {
  return { url, maxRetriesPerRequest: null };
}

/** Connects once, without retrying, and PINGs; throws '<url>: cannot reach Redis (…)' within the timeout. */
export async function assertRedisReachable(url: string, timeoutMs = CONNECT_TIMEOUT_MS): Promise<void> {
  const probe = new Redis(url, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  let lastError: Error | undefined;
  probe.on('error', (e: Error) => (lastError = e));
  let timer: NodeJS.Timeout | undefined;
  try {
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    });
    await Promise.race([probe.connect().then(() => probe.ping()), deadline]);
  } catch (e) {
    const reason = (lastError ?? (e as Error)).message || String(e);
    throw new Error(`${displayUrl(url)}: cannot reach Redis (${reason})`);
  } finally {
    clearTimeout(timer);
    probe.disconnect();
  }
}
