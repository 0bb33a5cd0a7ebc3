import { Worker } from 'node:worker_threads';
import { SalvageError } from '@salvage/core';
import type { ExtractContext, MessageExtraction, MessageOrigin } from './extract-message.ts';
import type { ParsedMessage } from './parse-message.ts';

/** What the connector keeps of a message read in a worker: its identity, date and problems, and its extraction. */
export interface ReadMessage {
  parsed: Pick<ParsedMessage, 'messageId' | 'bodyHash' | 'rawHash' | 'date' | 'problems' | 'unreadable'>;
  extraction: MessageExtraction;
}

/** Messages between the pool and its workers (message-worker.ts). */
export type WorkerRequest =
  | {
      kind: 'context';
      contextId: number;
      context: Omit<ExtractContext, 'ownAddresses'> & { ownAddresses: string[] };
    }
  | { kind: 'read'; contextId: number; jobs: { id: number; raw: Uint8Array; origin: MessageOrigin }[] };
export interface WorkerReply {
  kind: 'read';
  results: ({ id: number; read: ReadMessage } | { id: number; error: string })[];
}

/** Parses and extracts messages off the main thread; results come back in the order they were asked for. */
export interface MessagePool {
  /** Parses `raw` and extracts it with the pool's context; rejects only when a worker fails. */
  read(raw: Uint8Array, origin: MessageOrigin): Promise<ReadMessage>;
  /** Stops the workers; reads still in flight reject. */
  close(): Promise<void>;
}

// Messages per postMessage: fewer, larger messages cost the IMAP thread less than one per message.
const JOBS_PER_POST = 32;
const ENTRY = new URL('./message-worker-entry.mjs', import.meta.url);

/**
 * A pool of `size` worker threads that run parseMessage and extractMessage with one extraction context. The IMAP
 * client and everything with state (dedupe, summary, checkpoints) stay on the caller's thread; workers only compute,
 * so a result is the same as reading in process.
 */
export function createMessagePool(size: number, context: ExtractContext): MessagePool {
  const contextId = 1;
  const workers: { worker: Worker; outstanding: number }[] = [];
  const waiting = new Map<number, { resolve: (r: ReadMessage) => void; reject: (e: Error) => void }>();
  let failure: Error | null = null;
  let nextId = 0;
  let pending: { id: number; raw: Uint8Array; origin: MessageOrigin }[] = [];
  let flushScheduled = false;

  const fail = (error: Error) => {
    failure ??= new SalvageError('email_worker_failed', `email message worker failed: ${error.message}`, {
      cause: error,
    });
    for (const w of waiting.values()) w.reject(failure);
    waiting.clear();
  };

  for (let i = 0; i < size; i++) {
    const worker = new Worker(ENTRY);
    const slot = { worker, outstanding: 0 };
    worker.on('message', (reply: WorkerReply) => {
      for (const r of reply.results) {
        const w = waiting.get(r.id);
        if (!w) continue;
        waiting.delete(r.id);
        slot.outstanding--;
        if ('error' in r) w.reject(new SalvageError('email_worker_failed', r.error));
        else w.resolve(r.read);
      }
    });
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (code !== 0) fail(new Error(`exited with code ${code}`));
    });
    worker.postMessage({
      kind: 'context',
      contextId,
      context: { ...context, ownAddresses: [...context.ownAddresses] },
    } satisfies WorkerRequest);
    workers.push(slot);
  }

  const flush = () => {
    flushScheduled = false;
    if (pending.length === 0 || failure) return;
    const jobs = pending;
    pending = [];
    // The least busy worker takes the whole post.
    let slot = 0;
    for (let i = 1; i < workers.length; i++)
      if ((workers[i]?.outstanding ?? 0) < (workers[slot]?.outstanding ?? 0)) slot = i;
    const target = workers[slot];
    if (!target) return;
    target.outstanding += jobs.length;
    target.worker.postMessage(
      { kind: 'read', contextId, jobs } satisfies WorkerRequest,
      jobs.map((j) => j.raw.buffer as ArrayBuffer),
    );
  };

  return {
    read(raw, origin) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      return new Promise<ReadMessage>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        // A copy of just this message's bytes, moved to the worker: the source Buffer may be a slice of a larger
        // pooled one, which would otherwise be cloned whole, and the caller keeps the original for the raw store.
        pending.push({ id, raw: new Uint8Array(raw), origin });
        if (pending.length >= JOBS_PER_POST) flush();
        else if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(flush);
        }
      });
    },
    async close() {
      pending = [];
      await Promise.all(workers.map((w) => w.worker.terminate()));
      fail(new Error('the pool was closed'));
    },
  };
}
