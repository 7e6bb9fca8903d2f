import { spawn } from 'node:child_process';

/** The OS command that opens a URL in the default browser. */
export function openCommand(platform: NodeJS.Platform, url: string): { command: string; args: string[] } {
  if (platform === 'darwin') return { command: 'open', args: [url] };
  // `start` is a cmd built-in; the empty string is its window title, so the URL is not taken for one.
  if (platform === 'win32') return { command: 'cmd', args: ['/c', 'start', '""', url.replace(/&/g, '^&')] };
  return { command: 'xdg-open', args: [url] };
}

/**
 * Opens `url` in the default browser. Resolves with null once the opener started, or with the
 * reason it could not (no xdg-open, say); never throws, because the URL is printed anyway.
 */
export function openInBrowser(url: string, platform: NodeJS.Platform = process.platform): Promise<string | null> {
  const { command, args } = openCommand(platform, url);
  return new Promise((resolve) => {
    try {
      const child = spawn(command, args, { stdio: 'ignore', detached: true, windowsVerbatimArguments: platform === 'win32' });
      child.once('error', (error) => resolve(`${command} failed: ${error.message}`));
      child.once('spawn', () => {
        child.unref();
        resolve(null);
      });
    } catch (thrown) {
      resolve(`${command} failed: ${thrown instanceof Error ? thrown.message : String(thrown)}`);
    }
  });
}
