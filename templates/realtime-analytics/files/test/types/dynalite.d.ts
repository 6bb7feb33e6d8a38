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
