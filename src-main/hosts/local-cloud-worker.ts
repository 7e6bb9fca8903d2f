import { parentPort, workerData } from 'node:worker_threads';
import type { LocalCloudApp } from '../localcloud/server.js';
import { startStableHere } from './local-cloud-stable.js';

/**
 * Entry of the embedded local cloud's worker thread (local-cloud-port.ts starts it). Messages:
 * out `{type: 'ready', baseUrl, port}` or `{type: 'failed', message}`; in `{type: 'close'}`,
 * answered by `{type: 'closed'}` once the server has stopped.
 */
export type WorkerInput = { readonly dataDir: string; readonly apps?: readonly LocalCloudApp[] };
export type WorkerMessage =
  | { readonly type: 'ready'; readonly baseUrl: string; readonly port: number }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'closed' };

const port = parentPort;
if (port) {
  const input = workerData as WorkerInput;
  const send = (m: WorkerMessage): void => port.postMessage(m);
  startStableHere(input.dataDir, input.apps).then(
    (cloud) => {
      port.on('message', (m: { type?: unknown }) => {
        if (m.type !== 'close') return;
        cloud.close().then(
          () => {
            send({ type: 'closed' });
            port.close();
          },
          () => {
            send({ type: 'closed' });
            port.close();
          },
        );
      });
      send({ type: 'ready', baseUrl: cloud.baseUrl, port: cloud.port });
    },
    (err: unknown) => {
      send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
      port.close();
    },
  );
}
