/**
 * Fairness between senders in front of the engine: each sender (the agent a token or
 * certificate is bound to, else the peer address) has its own queue, and the queues are served
 * in turn, one request each, with at most `slots` requests handed to the engine at once. One
 * agent's expensive traffic then waits behind its own requests, not everyone else's: a request
 * from another agent waits for at most the requests already handed over plus one of each other
 * busy sender. Requests of one sender keep their order.
 */
export class FairQueue {
  /** Waiting requests by sender; Map order is the turn order (a served sender goes to the back). */
  private readonly queues = new Map<string, Array<{ start: () => void; bytes: number }>>();
  private running = 0;
  private waitingBytes = 0;

  constructor(private readonly slots: number) {}

  /** Bytes of requests waiting for their turn. */
  get queuedBytes(): number {
    return this.waitingBytes;
  }

  /** Requests waiting for their turn. */
  get waiting(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  /** Runs `job` when it is `sender`'s turn. */
  async run<T>(sender: string, bytes: number, job: () => Promise<T>): Promise<T> {
    if (this.running < this.slots && this.queues.size === 0) this.running++;
    else {
      await new Promise<void>((start) => {
        let q = this.queues.get(sender);
        if (!q) this.queues.set(sender, (q = []));
        q.push({ start, bytes });
        this.waitingBytes += bytes;
      });
    }
    try {
      return await job();
    } finally {
      this.next();
    }
  }

  /** Hands the freed slot to the sender whose turn it is. */
  private next(): void {
    const turn = this.queues.entries().next();
    if (turn.done) { this.running--; return; }
    const [sender, q] = turn.value;
    const w = q.shift()!;
    this.waitingBytes -= w.bytes;
    this.queues.delete(sender);
    if (q.length) this.queues.set(sender, q);
    w.start();
  }
}
