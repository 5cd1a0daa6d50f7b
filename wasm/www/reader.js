// The reading worker: reads a workbook's cells for the checking worker (worker.js), which
// checks them while this one reads the rest. The module has no threads; two workers give a
// check two cores (the reading, inflate and XML, was half of a check's time in one worker).
// Protocol (this worker is started by worker.js):
//   checker → reader  { type: "read", bytes, name }   (bytes transferred)
//   checker → reader  { type: "hurry" }   a file is being checked without this worker: skip
//                     the rest of the warm-up
//   reader → checker  { type: "ready" } once loaded and warmed  |  { type: "fatal", message }
//                     { type: "cells", msg }  a Uint8Array (transferred), in order
//                     { type: "end" }  after the last message of a file
//                     { type: "crash", panic }  the module trapped on this file; then it closes
import init, * as hv from "./pkg/hangviet_wasm.js";

let hurry = false;

const ready = init()
  .then(async () => {
    // As the checking worker warms its engine: the reading code runs optimised from the
    // first file on. Twice: the browser optimises a function for its next call, and the
    // reading loops are one long call each. Not the second time when a file came meanwhile
    // (the checking worker checks it alone and needs the cores).
    for (let round = 0; round < 2 && !hurry; round++) {
      try {
        hv.warmUpReader(round === 0);
      } catch (_) {
        /* only no warm-up */
      }
      await new Promise((r) => setTimeout(r, 0));
    }
    postMessage({ type: "ready" });
  })
  .catch((e) => postMessage({ type: "fatal", message: String((e && e.message) || e) }));

onmessage = async (ev) => {
  if (ev.data && ev.data.type === "hurry") {
    hurry = true;
    return;
  }
  await ready;
  const { bytes, name } = ev.data;
  try {
    // Test seam (browser tests set it from this worker's console): break as a reader would.
    if (self.hangvietPanicOn === name) hv.panicForTest();
    hv.readCells(new Uint8Array(bytes), name, (m) => {
      postMessage({ type: "cells", msg: m }, [m.buffer]);
      return true;
    });
    postMessage({ type: "end" });
  } catch (e) {
    let panic = String((e && e.message) || e);
    if (e instanceof WebAssembly.RuntimeError) {
      try { panic = hv.lastPanic() || panic; } catch (_) { /* the instance is gone */ }
    }
    postMessage({ type: "crash", panic });
    close();
  }
};
