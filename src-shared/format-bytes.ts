const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** Human size in binary steps with one decimal above bytes: 1536 → "1.5 KB". The window and the CLI both show sizes this way. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}
