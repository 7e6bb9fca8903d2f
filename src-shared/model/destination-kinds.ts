/**
 * Where a job can go, free of runtime imports: `ferry --help` and argument checks must not pay
 * for loading zod (about 0.2 s on a 2-core machine). job.ts builds its schema from this list.
 */
export const DESTINATION_KINDS = ['local', 'filestack', 'imagekit'] as const;

export function isDestinationKind(value: string): value is (typeof DESTINATION_KINDS)[number] {
  return (DESTINATION_KINDS as readonly string[]).includes(value);
}
