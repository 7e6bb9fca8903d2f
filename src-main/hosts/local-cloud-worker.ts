import { parentPort, workerData } from 'node:worker_threads';
import { startStableHere, type PortFileUse, type StableCloudOptions } from './local-cloud-stable.js';

/**
 * Entry of the embedded local cloud's worker thread (local-cloud-port.ts starts it). Messages:
 * out `{type: 'ready', baseUrl, port}` or `{type: 'failed', message}`; in `{type: 'allow-origin',
 * origin}` and `{type: 'close'}`, the latter answered by `{type: 'closed'}` once the server stopped.
 */
export type WorkerInput = { readonly dataDir: string; readonly options: StableCloudOptions; readonly use: PortFileUse };
export type WorkerMessage =
  | { readonly type: 'ready'; readonly baseUrl: string; readonly port: number }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'closed' };
export type WorkerCommand = { readonly type: 'allow-origin'; readonly origin: string } | { readonly type: 'close' };

const port = parentPort;
if (port) {
  const input = workerData as WorkerInput;
  const send = (m: WorkerMessage): void => port.postMessage(m);
  startStableHere(input.dataDir, input.options, input.use).then(
    (cloud) => {
      port.on('message', (m: WorkerCommand) => {
        if (m.type === 'allow-origin') return cloud.allowOrigin(m.origin);
        const done = (): void => {
          send({ type: 'closed' });
          port.close();
        };
        cloud.close().then(done, done);
      });
      send({ type: 'ready', baseUrl: cloud.baseUrl, port: cloud.port });
    },
    (err: unknown) => {
      send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
      port.close();
    },
  );
}
