import { describe, expect, it } from 'vitest';
import { canonicalParams, TASKS, validateStep } from '../../src-shared/filestack/tasks.js';
import type { TaskStep } from '../../src-shared/filestack/types.js';

// Task wire names copied by hand from spec §7.4 (column 2) and §7.5.
const SPEC_74 = 'resize crop rotate flip flop watermark detect_faces crop_faces pixelate_faces round_corners vignette polaroid torn_edges shadow circle border sharpen blur monochrome blackwhite sepia pixelate oil_paint negative modulate partial_pixelate partial_blur collage upscale enhance redeye ascii output no_metadata quality zip fallback pdfinfo pdfconvert minify_js minify_css video_convert auto_image doc_to_images smart_crop pdfcreate animate store tags sfw ocr urlscreenshot';
const SPEC_75 = 'rounded_corners blur_faces compress pjpg imagesize cache security metadata debug preview video_playlist caption image_sentiment text_sentiment qr slide run_workflow workflow_status doc_detection content';

describe('task catalog', () => {
  it.each([...SPEC_74.split(' '), ...SPEC_75.split(' ')])('knows %s', (name) => {
    expect(Object.hasOwn(TASKS, name)).toBe(true);
  });

  it('lists every §7.4 parameter key for its task', () => {
    const keys: Record<string, string> = {
      resize: 'width height fit align',
      output: 'format background page density compress quality strip colorspace secure docinfo pageformat pageorientation',
      minify_js: 'gzip use_babel_polyfill keep_fn_name keep_class_name mangle merge_vars remove_console remove_undefined targets',
      video_convert: 'preset force title extname filename width height upscale aspect_mode two_pass video_bitrate fps keyframe_interval location watermark_url watermark_top watermark_bottom watermark_right watermark_left watermark_width watermark_height path access container audio_bitrate audio_sample_rate audio_channels clip_length clip_offset audio_codec', // + audio_codec (JS, §7.5)
      store: 'filename location path container region access base64decode workflows',
      collage: 'files margin width height color fit autorotate',
      pixelate_faces: 'faces minsize maxsize buffer amount blur type',
    };
    for (const [task, list] of Object.entries(keys)) {
      expect(Object.keys(TASKS[task]?.params ?? {}).sort()).toEqual(list.split(' ').sort());
    }
  });
});

describe('validateStep', () => {
  const good: TaskStep[] = [
    { name: 'resize', params: { width: 1, height: 10000, fit: 'max', align: 'faces' } },
    { name: 'resize', params: { w: 100, align: ['top', 'left'] } },
    { name: 'rotate', params: { deg: 'exif' } },
    { name: 'rotate', params: { deg: 359, background: 'FFFFFF' } },
    { name: 'crop', params: { dim: [0, 0, 10, 10] } },
    { name: 'blur', params: { amount: 20 } },
    { name: 'sharpen', params: { amount: 0 } },
    { name: 'quality', params: { value: '100' } },
    { name: 'output', params: { format: 'avif', quality: 'input', compress: true } },
    { name: 'border', params: { width: 1000, color: 'AAFF0000' } },
    { name: 'rounded_corners', params: { radius: 'max', blur: 0.3, background: 'transparent' } },
    { name: 'circle', params: { background: 'black' } },
    { name: 'modulate', params: { brightness: 10000, saturation: 0, hue: 0 } },
    { name: 'partial_blur', params: { objects: [[10, 20, 200, 250], [275, 91, 500, 557]] } },
    { name: 'store', params: { location: 'S3', path: 'a/b/', workflows: ['wf1', 'wf2'], base64decode: false } },
    { name: 'cache', value: false },
    { name: 'cache', params: { e: 3600 } },
    { name: 'flip' },
    { name: 'metadata', params: { anything: 1 } },
    { name: 'video_convert', params: { preset: 'webm', aspect_mode: 'pad', audio_channels: 2 } },
  ];
  it.each(good)('accepts %j', (step) => {
    expect(validateStep(step)).toEqual({ ok: true });
  });

  const bad: [TaskStep, string][] = [
    [{ name: 'resize', params: { width: 10001 } }, 'Task "resize": parameter "width" must be an integer from 1 to 10000 (got 10001).'],
    [{ name: 'resize', params: { fit: 'stretch' } }, 'Task "resize": parameter "fit" must be one of clip, crop, scale, max (got "stretch").'],
    [{ name: 'resize', params: { depth: 3 } }, 'Task "resize" has no parameter "depth". Known parameters: width, height, fit, align.'],
    [{ name: 'rotate', params: { deg: 360 } }, 'Task "rotate": parameter "deg" must be an integer from 0 to 359 or one of exif (got 360).'],
    [{ name: 'blur', params: { amount: 0 } }, 'Task "blur": parameter "amount" must be a number from 1 to 20 (got 0).'],
    [{ name: 'quality', params: { value: 101 } }, 'Task "quality": parameter "value" must be an integer from 1 to 100 (got 101).'],
    [{ name: 'crop', params: { dim: [-1, 0, 10, 10] } }, 'Task "crop": parameter "dim" must be a rectangle [x,y,width,height] of integers (x,y ≥ 0, width,height ≥ 1) (got [-1,0,10,10]).'],
    [{ name: 'border', params: { width: 0 } }, 'Task "border": parameter "width" must be an integer from 1 to 1000 (got 0).'],
    [{ name: 'modulate', params: { hue: 360 } }, 'Task "modulate": parameter "hue" must be an integer from 0 to 359 (got 360).'],
    [{ name: 'flip', params: { x: 1 } }, 'Task "flip" has no parameter "x". It takes no parameters.'],
    [{ name: 'teleport' }, 'Unknown Filestack task "teleport".'],
    [{ name: 'resize', value: 'x' }, 'Task "resize": a bare value "x" is not allowed.'],
  ];
  it.each(bad)('rejects %j', (step, message) => {
    expect(validateStep(step)).toEqual({ ok: false, message });
  });

  it.each([
    [{ name: 'output', params: { format: 'exe' } }, 'format'],
    [{ name: 'border', params: { color: '#fff' } }, 'color'],
    [{ name: 'store', params: { access: 'world' } }, 'access'],
    [{ name: 'video_convert', params: { aspect_mode: 'squash' } }, 'aspect_mode'],
    [{ name: 'store', params: { path: 'a"b' } }, 'path'],
    [{ name: 'collage', params: { files: [] } }, 'files'],
    [{ name: 'shadow', params: { vector: [1] } }, 'vector'],
  ] as [TaskStep, string][])('names the parameter in %j', (step, param) => {
    const r = validateStep(step);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(`Task "${step.name}": parameter "${param}"`);
  });

  it('maps aliases to canonical keys', () => {
    expect(canonicalParams({ name: 'resize', params: { w: 1, h: 2, other: 3 } })).toEqual({ width: 1, height: 2, other: 3 });
  });
});
