import { describe, expect, it } from 'vitest';
import { validateStep } from '../../src-shared/filestack/tasks.js';
import { buildTransformationString } from '../../src-shared/imagekit/url-builder.js';
import { studioChainSchema } from '../../src-shared/ipc/channels.js';
import { buildChain, buildFilestackSteps, buildImageKitSteps, defaultControls, type StudioControls } from '../../src-renderer/lib/studio-steps.js';

const everything: StudioControls = {
  ...defaultControls(),
  width: 300, height: 200, fit: 'crop',
  cropOn: true, cropX: 10, cropY: 20, cropW: 400, cropH: 300,
  rotate: 90, flip: true, flop: true, blur: 2, sharpen: 3, monochrome: true,
  format: 'webp', quality: 70, borderWidth: 4, borderColor: '#FF0000', radius: 12,
};

describe('studio step builder', () => {
  it('builds nothing from default controls', () => {
    expect(buildFilestackSteps(defaultControls())).toEqual([]);
    expect(buildImageKitSteps(defaultControls())).toEqual([]);
  });

  it('builds a width-only resize', () => {
    expect(buildFilestackSteps({ ...defaultControls(), width: 100 })).toEqual([{ name: 'resize', params: { width: 100 } }]);
    expect(buildImageKitSteps({ ...defaultControls(), width: 100 })).toEqual([{ width: 100 }]);
  });

  it('builds every control as valid Filestack tasks in a stable order', () => {
    const steps = buildFilestackSteps(everything);
    expect(steps.map((s) => s.name)).toEqual(['crop', 'resize', 'rotate', 'flip', 'flop', 'blur', 'sharpen', 'monochrome', 'border', 'rounded_corners', 'output']);
    for (const step of steps) expect(validateStep(step)).toEqual({ ok: true });
    expect(steps.find((s) => s.name === 'border')?.params).toEqual({ width: 4, color: 'ff0000' });
    expect(steps.at(-1)?.params).toEqual({ format: 'webp', quality: 70 });
    expect(studioChainSchema.safeParse(buildChain('local', everything)).success).toBe(true);
  });

  it('uses circle instead of rounded corners, and a bare quality task without a format', () => {
    const names = buildFilestackSteps({ ...defaultControls(), circle: true, radius: 5, quality: 40 }).map((s) => s.name);
    expect(names).toEqual(['circle', 'quality']);
  });

  it('builds the same controls as an ImageKit chain', () => {
    const chain = buildChain('imagekit', everything);
    expect(chain.kind).toBe('imagekit');
    expect(studioChainSchema.safeParse(chain).success).toBe(true);
    expect(buildTransformationString(buildImageKitSteps(everything))).toBe(
      'cm-extract,x-10,y-20,w-400,h-300:w-300,h-200,c-maintain_ratio:rt-90:fl-h_v:bl-2:e-sharpen-3:e-grayscale:b-4_FF0000:r-12:f-webp,q-70',
    );
  });
});
