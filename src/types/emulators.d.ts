// The in-memory emulators sprout dev runs (they ship no types).

declare module 'dynalite' {
  import type { Server } from 'node:http';

  interface DynaliteOptions {
    /** Milliseconds a table stays CREATING; 0 makes it ACTIVE at once. */
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    /** Persist to this folder (LevelDB) instead of memory. */
    path?: string;
  }

  export default function dynalite(options?: DynaliteOptions): Server;
}

declare module 's3rver' {
  import type { EventEmitter } from 'node:events';

  interface S3rverOptions {
    address?: string;
    /** 0 picks a free port; run() returns the one chosen. */
    port?: number;
    silent?: boolean;
    /** Where objects are stored (the filesystem store). */
    directory: string;
    resetOnClose?: boolean;
    configureBuckets?: Array<{ name: string; configs?: Array<string | Buffer> }>;
  }

  /** A Koa app: it emits 'event' with an S3 event notification (`{ Records: [...] }`) for every object written or deleted. */
  export default class S3rver extends EventEmitter {
    constructor(options: S3rverOptions);
    run(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
  }
}

declare module 'kinesalite' {
  import type { Server } from 'node:http';

  interface KinesaliteOptions {
    /** Milliseconds a stream stays CREATING; 0 makes it ACTIVE at once. */
    createStreamMs?: number;
    deleteStreamMs?: number;
    updateStreamMs?: number;
    /** Max shards per account (default 10). */
    shardLimit?: number;
    /** Persist to this folder (LevelDB) instead of memory. */
    path?: string;
  }

  export default function kinesalite(options?: KinesaliteOptions): Server;
}
