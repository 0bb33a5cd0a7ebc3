import { parentPort } from 'node:worker_threads';
import type { BusinessConfig, ExtractionRule } from '@salvage/core';
import { type ExtractContext, extractMessage, type MessageOrigin } from './extract-message.ts';
import type { ReadMessage, WorkerReply, WorkerRequest } from './message-pool.ts';
import { parseMessage } from './parse-message.ts';

// One parse + extract worker of a message pool (message-pool.ts): contexts arrive once, then batches of messages;
// each batch is answered in order with what the connector needs of the parsed message and its extraction.
const contexts = new Map<number, ExtractContext>();

async function read(raw: Uint8Array, origin: MessageOrigin, ctx: ExtractContext): Promise<ReadMessage> {
  const parsed = await parseMessage(raw);
  return {
    parsed: {
      messageId: parsed.messageId,
      bodyHash: parsed.bodyHash,
      rawHash: parsed.rawHash,
      date: parsed.date,
      problems: parsed.problems,
      unreadable: parsed.unreadable,
    },
    extraction: extractMessage(parsed, origin, ctx),
  };
}

parentPort?.on('message', async (request: WorkerRequest) => {
  if (request.kind === 'context') {
    const c = request.context as {
      business: BusinessConfig;
      rules: readonly ExtractionRule[];
      ownAddresses: string[];
    };
    contexts.set(request.contextId, { ...c, ownAddresses: new Set(c.ownAddresses) });
    return;
  }
  const ctx = contexts.get(request.contextId);
  const reply: WorkerReply = { kind: 'read', results: [] };
  for (const job of request.jobs) {
    try {
      if (!ctx) throw new Error(`no context ${request.contextId}`);
      reply.results.push({ id: job.id, read: await read(job.raw, job.origin, ctx) });
    } catch (error) {
      reply.results.push({ id: job.id, error: (error as Error).message });
    }
  }
  parentPort?.postMessage(reply);
});
