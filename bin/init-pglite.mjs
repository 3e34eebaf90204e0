// Creates an embedded database folder (PGlite's initdb) and exits. `wayline start` runs it in
// this short-lived process on the first start, so the memory initdb leaves behind in the WASM
// heap (about 300 MB) is given back with the process instead of staying in the server.
import { PGlite } from '@electric-sql/pglite';

const dataDir = process.argv[2];
if (!dataDir) {
  console.error('Usage: init-pglite.mjs <data folder>');
  process.exit(2);
}
const client = new PGlite(dataDir);
await client.waitReady;
await client.close();
