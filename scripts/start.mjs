// `npm start` builds first, then runs this: the launcher itself is TypeScript
// (scripts/launch/main.ts), bundled to dist/main/start.js by scripts/build-main.mjs.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const launcher = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main', 'start.js');
if (!existsSync(launcher)) {
  console.error('Ferry is not built yet: run `npm start` (it builds first) or `npm run build`.');
  process.exit(1);
}
await import(pathToFileURL(launcher).href);
