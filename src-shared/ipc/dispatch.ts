import type { ZodType } from 'zod';
import { appError, fail, toAppError, type Result } from '../errors.js';
import { channels, type Channel, type RequestOf, type ResponseOf } from './channels.js';

/** One handler per channel; hosts build this object once from the engine. */
export type Handlers = {
  [C in Channel]: (request: RequestOf<C>) => Promise<ResponseOf<C>> | ResponseOf<C>;
};

const MAX_ISSUES_IN_MESSAGE = 3;

/**
 * The boundary every host calls after its own sender/token check: validate the channel name,
 * parse the payload with the channel's schema, run the handler, and turn any throw into data.
 * Untrusted input never reaches a handler unparsed and never crashes the host.
 */
export async function dispatch(handlers: Handlers, channel: unknown, payload: unknown): Promise<Result<unknown>> {
  return dispatchIn(channels, handlers, channel, payload);
}

/** A channel map of the same shape: a request schema per channel name. */
export type ChannelSchemas = Readonly<Record<string, { readonly request: ZodType }>>;

/**
 * `dispatch` over any channel map; the instance socket uses it for its few host-only channels
 * (src-main/hosts/instance) so they get the same checks and errors as the contract.
 */
export async function dispatchIn<M extends ChannelSchemas>(
  map: M,
  handlers: { [C in keyof M]: (request: never) => unknown },
  channel: unknown,
  payload: unknown,
): Promise<Result<unknown>> {
  if (typeof channel !== 'string' || !Object.prototype.hasOwnProperty.call(map, channel)) {
    return fail(appError('bad_request', `Unknown channel: ${describe(channel)}`));
  }
  const parsed = map[channel]!.request.safeParse(payload);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, MAX_ISSUES_IN_MESSAGE)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    return fail(appError('bad_request', `Invalid payload for ${channel}: ${issues}`));
  }
  try {
    // The map is keyed by the same channel, so this call is type-correct per channel.
    const handler = handlers[channel] as unknown as (req: unknown) => unknown;
    const value = await handler(parsed.data);
    return { ok: true, value };
  } catch (thrown) {
    return fail(toAppError(thrown));
  }
}

function describe(value: unknown): string {
  const text = typeof value === 'string' ? value : typeof value;
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}
