/**
 * A bounded queue between concurrent page workers and the one consumer that yields their messages: `put` waits while
 * the queue is full, so memory stays flat however fast pages arrive.
 */
export interface Channel<T> {
  put(item: T): Promise<void>;
  take(): Promise<T>;
  /** Wakes every waiting `put` with a rejection; later puts reject at once. */
  close(reason: unknown): void;
}

/** A channel holding at most `capacity` items. */
export function createChannel<T>(capacity: number): Channel<T> {
  const items: T[] = [];
  const takers: ((item: T) => void)[] = [];
  const putters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  let closed: { reason: unknown } | null = null;
  return {
    async put(item) {
      if (closed) throw closed.reason;
      const taker = takers.shift();
      if (taker) {
        taker(item);
        return;
      }
      items.push(item);
      if (items.length > capacity)
        await new Promise<void>((resolve, reject) => putters.push({ resolve, reject }));
    },
    take() {
      const item = items.shift();
      if (item !== undefined || items.length > 0) {
        putters.shift()?.resolve();
        return Promise.resolve(item as T);
      }
      return new Promise<T>((resolve) => takers.push(resolve));
    },
    close(reason) {
      closed = { reason };
      for (const p of putters.splice(0)) p.reject(reason);
    },
  };
}
