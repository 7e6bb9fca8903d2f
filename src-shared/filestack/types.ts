/**
 * Data shapes of a Filestack processing URL (spec §7.1): task steps, parameter values and
 * sources. Shared by the URL builder (client side) and the URL parser (local cloud side).
 */

/** A parameter value: scalar, or a (possibly nested) bracketed list like `dim:[0,0,10,10]`. */
export type TaskValue = string | number | boolean | readonly TaskValue[];

/** `key → value` pairs of one task; insertion order is the JS-style wire order. */
export type TaskParams = Readonly<Record<string, TaskValue>>;

/**
 * One task of a chain. `params` absent = bare `name` on the wire. `value` is the rare bare
 * argument form such as `cache=false` (no `key:`); a step has `params` or `value`, not both.
 */
export type TaskStep = {
  readonly name: string;
  readonly params?: TaskParams;
  readonly value?: string | number | boolean;
};

/** The last segment of a processing URL (spec §7.1 `<source>`). */
export type Source =
  /** A stored file id, `[\w-]{20}` on real Filestack. */
  | { readonly kind: 'handle'; readonly handle: string }
  /** `src://<alias>/<path>`: a file in a storage alias configured for the app. */
  | { readonly kind: 'alias'; readonly alias: string; readonly path: string }
  /** An external `http(s)://` URL (needs the apikey segment). */
  | { readonly kind: 'url'; readonly url: string }
  /** `wf://<job path>`: the output of a workflow job. */
  | { readonly kind: 'workflow'; readonly path: string };

/** Policy + signature as carried in a `security=` task (already base64 / hex text). */
export type SecurityPair = { readonly policy: string; readonly signature: string };

/** True when the source makes Filestack require the apikey segment (spec §7.1). */
export function sourceNeedsApikey(source: Source): boolean {
  return source.kind === 'url' || source.kind === 'alias';
}
