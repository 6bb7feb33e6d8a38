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
