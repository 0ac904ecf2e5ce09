/**
 * The processor thread (see host.ts): decodes requests, runs the engine, builds and serialises
 * the alert documents, and answers with the spool payload (its memory moved, not copied).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RulesetError } from '../engine/ruleset/errors';
import { ProcessorCore, transferable, type FromWorker, type ProcessorSetup, type ToWorker } from './host';

const port = parentPort!;
let core: ProcessorCore;
try {
  core = new ProcessorCore(workerData as ProcessorSetup);
  port.postMessage({ id: 0, ok: true, value: core.summary } satisfies FromWorker);
} catch (e) {
  const r = e instanceof RulesetError ? { file: e.file, line: e.line, element: e.element, detail: e.detail } : undefined;
  port.postMessage({ id: 0, ok: false, error: (e as Error).message, ruleset: r } satisfies FromWorker);
  process.exit(1);
}

port.on('message', (m: ToWorker) => {
  try {
    switch (m.op) {
      case 'process': {
        const body = m.req.body;
        const r = core.process({ format: m.req.format, body: Buffer.from(body.buffer, body.byteOffset, body.byteLength) }, m.ctx);
        if (r.kind === 'ok' && r.result.payload) {
          const p = transferable(r.result.payload);
          port.postMessage({ id: m.id, ok: true, value: { kind: 'ok', result: { ...r.result, payload: p } } } satisfies FromWorker, [p.buffer as ArrayBuffer]);
        } else port.postMessage({ id: m.id, ok: true, value: r } satisfies FromWorker);
        return;
      }
      case 'checkDisconnected': {
        const r = core.checkDisconnected();
        if (!r) { port.postMessage({ id: m.id, ok: true, value: null } satisfies FromWorker); return; }
        const p = transferable(r.payload);
        port.postMessage({ id: m.id, ok: true, value: { payload: p, levels: r.levels } } satisfies FromWorker, [p.buffer as ArrayBuffer]);
        return;
      }
      case 'reload': port.postMessage({ id: m.id, ok: true, value: core.reload() } satisfies FromWorker); return;
      case 'mergeFts': port.postMessage({ id: m.id, ok: true, value: core.mergeFts(m.keys) } satisfies FromWorker); return;
      case 'ftsSize': port.postMessage({ id: m.id, ok: true, value: core.ftsSize() } satisfies FromWorker); return;
      case 'saveSeen': core.saveSeen(); port.postMessage({ id: m.id, ok: true, value: null } satisfies FromWorker); return;
      case 'rules': port.postMessage({ id: m.id, ok: true, value: core.rules() } satisfies FromWorker); return;
      case 'logtest': port.postMessage({ id: m.id, ok: true, value: core.logtest(m.line, m.location) } satisfies FromWorker); return;
      case 'close': core.close(); port.postMessage({ id: m.id, ok: true, value: null } satisfies FromWorker); return;
    }
  } catch (e) {
    port.postMessage({ id: m.id, ok: false, error: e instanceof Error ? e.message : String(e) } satisfies FromWorker);
  }
});
