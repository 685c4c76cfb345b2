// Maps a URL path under /files/ to a file inside the served folder, or null. Decoding happens before the
// checks, so encoded traversal (%2e%2e, %2f) is caught; the real path is compared last, so a symlink
// that leads out of the folder is refused too.
import { realpathSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';

export type Resolved = { file: string } | { refused: string } | { missing: true };

/** root must be a real (symlink-free) absolute path. */
export function resolveInside(root: string, urlPath: string): Resolved {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return { refused: 'malformed percent-encoding' };
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return { refused: 'NUL or backslash in path' };
  const parts = decoded.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) return { refused: 'absolute path, empty, . or .. segment' };
  let real: string;
  try {
    real = realpathSync(join(root, ...parts));
  } catch {
    return { missing: true };
  }
  if (!real.startsWith(root + sep)) return { refused: 'outside the served folder' };
  return statSync(real).isFile() ? { file: real } : { missing: true };
}
