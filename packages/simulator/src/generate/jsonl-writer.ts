import { once } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

/**
 * A file written piece by piece, waiting for the disk when its buffer fills, so large scales never hold a whole file
 * in memory.
 */
export interface FileSink {
  write(text: string | Uint8Array): Promise<void>;
  /** Writes `value` as one JSON line. */
  line(value: unknown): Promise<void>;
  close(): Promise<void>;
  readonly path: string;
}

/** Opens `path` for writing (creating its directory), truncating what was there. */
export function openSink(path: string): FileSink {
  mkdirSync(dirname(path), { recursive: true });
  const stream: WriteStream = createWriteStream(path);
  let failure: Error | null = null;
  stream.on('error', (e) => {
    failure = e;
  });
  const write = async (text: string | Uint8Array): Promise<void> => {
    if (failure) throw failure;
    if (!stream.write(text)) await once(stream, 'drain');
  };
  return {
    path,
    write,
    line: (value) => write(`${JSON.stringify(value)}\n`),
    async close() {
      if (failure) throw failure;
      stream.end();
      await once(stream, 'finish');
    },
  };
}
