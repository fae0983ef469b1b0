// The entry module of an example Worker under workerd: instantiates the
// wasm module wasm-bindgen bound (`--target bundler`: index_bg.js is the
// glue, index_bg.wasm the module) and exports the handlers it has.
// (worker-build generates the same for `wrangler deploy`.)
import * as glue from "./index_bg.js";
import wasm from "./index_bg.wasm";

const instance = new WebAssembly.Instance(wasm, { "./index_bg.js": glue });
glue.__wbg_set_wasm(instance.exports);
if (instance.exports.__wbindgen_start) {
  instance.exports.__wbindgen_start();
}

const handlers = {};
for (const name of ["fetch", "scheduled", "queue"]) {
  if (typeof glue[name] === "function") {
    handlers[name] = (event, env, ctx) => glue[name](event, env, ctx);
  }
}
export default handlers;
