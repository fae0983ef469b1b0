// Runs anyfn's wasm32 clock checks (src/lib.rs) under Node:
//   node run.js DIR
// where DIR holds `wasm-bindgen --target nodejs` output for this crate.
// Prints every check; exits non-zero when one fails or the module traps.
'use strict';

const path = require('path');

const dir = path.resolve(process.argv[2] || 'pkg');
const { run } = require(path.join(dir, 'anyfn_wasm_clock.js'));

process.on('uncaughtException', (error) => {
  console.error(`wasm clock checks FAILED: the module trapped: ${error && error.stack || error}`);
  process.exit(1);
});

run().then(
  (report) => {
    console.log(report);
  },
  (error) => {
    console.error(String(error && error.stack || error));
    console.error('wasm clock checks FAILED');
    process.exit(1);
  },
);
