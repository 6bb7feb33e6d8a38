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
