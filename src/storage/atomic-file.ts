/**
 * Crash-safe file replacement. `writeFileAtomic` writes the new content to a
 * temp file in the same directory, fsyncs it, renames it over the target and
 * fsyncs the directory, so after a kill -9 (or power loss) at any point the
 * target holds either the complete old or the complete new content. With
 * `backup`, the previous content is first kept, just as safely, as
 * `<path>.bak` (exactly one generation). Temp files a crash leaves behind
 * are named `.<name>.<pid>.<n>.tmp` and never read.
 */
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ToxError } from '../base/index.js';

export interface WriteFileAtomicOptions {
  /** Keep the content being replaced as `<path>.bak` (default false). */
  backup?: boolean;
  /** Permission bits of the written file (default 0o600: profiles hold secret keys). */
  mode?: number;
}

/** Where `writeFileAtomic(path, …, { backup: true })` keeps the previous version. */
export function backupPathOf(path: string): string {
  return `${path}.bak`;
}

/** The whole file, or `undefined` when it does not exist. Other errors propagate. */
export async function readFileIfExists(path: string): Promise<Uint8Array | undefined> {
  try {
    const buffer = await readFile(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

export async function writeFileAtomic(path: string, data: Uint8Array | string, options: WriteFileAtomicOptions = {}): Promise<void> {
  const mode = options.mode ?? 0o600;
  if (options.backup) {
    const previous = await readFileIfExists(path);
    if (previous !== undefined) await replaceFile(backupPathOf(path), previous, mode);
  }
  await replaceFile(path, data, mode);
  await syncDirectory(dirname(path));
}

/** Durable temp file, then one atomic rename over `path`. */
async function replaceFile(path: string, data: Uint8Array | string, mode: number): Promise<void> {
  const temp = await writeDurableTemp(path, data, mode);
  try {
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

const MAX_TEMP_ATTEMPTS = 1000;

/** Creates a fresh temp file next to `path` (exclusive create, so concurrent writers never share one), writes and fsyncs it. */
async function writeDurableTemp(path: string, data: Uint8Array | string, mode: number): Promise<string> {
  const dir = dirname(path);
  const name = basename(path);
  for (let attempt = 0; attempt < MAX_TEMP_ATTEMPTS; attempt++) {
    const temp = join(dir, `.${name}.${process.pid}.${attempt}.tmp`);
    let handle;
    try {
      handle = await open(temp, 'wx', mode);
    } catch (err) {
      if (errorCode(err) === 'EEXIST') continue;
      throw err;
    }
    try {
      await handle.writeFile(data);
      await handle.sync();
      await handle.close();
      return temp;
    } catch (err) {
      await handle.close().catch(() => undefined);
      await rm(temp, { force: true });
      throw err;
    }
  }
  throw new ToxError('TEMP_FILE_EXHAUSTED', `could not create a temp file next to ${path}: ${MAX_TEMP_ATTEMPTS} names already taken`, { path });
}

/** Makes a rename durable. Platforms that cannot fsync a directory (Windows) report EISDIR/EINVAL/EPERM: nothing more to do there. */
async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    if (!['EISDIR', 'EINVAL', 'EPERM', 'EBADF'].includes(errorCode(err) ?? '')) throw err;
  } finally {
    await handle?.close();
  }
}

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}
