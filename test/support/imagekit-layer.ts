import { parseTransformation, type TxLayer } from '../../src-shared/imagekit/transform-parser.js';

/** The first layer of a transformation string's first step (throws when there is none). */
export const layerOf = (tx: string): TxLayer => {
  const r = parseTransformation(tx);
  if (!r.ok) throw new Error(r.message);
  const item = r.steps[0]?.find((i) => i.kind === 'layer');
  if (item?.kind !== 'layer') throw new Error('no layer');
  return item;
};
