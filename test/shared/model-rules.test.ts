/**
 * The few rules the model files hold beyond shapes: which job states are final, which MIME types
 * a Library filter takes, which destinations exist, and what a settings file or a settings patch
 * may contain (bounds, URL and path rules, defaults for fields older files lack).
 */
import { describe, expect, it } from 'vitest';
import { isDestinationKind } from '../../src-shared/model/destination-kinds.js';
import { isTerminal, jobStatusSchema, jobViewSchema, type JobStatus } from '../../src-shared/model/job.js';
import { mimeMatchesType, type LibraryType } from '../../src-shared/model/library.js';
import { DEFAULT_LINK_ACTIONS, DEFAULT_TRANSFER_SETTINGS } from '../../src-shared/model/transfer-defaults.js';
import { transferSettingsPatchSchema, transferSettingsSchema } from '../../src-shared/model/transfer-settings.js';

describe('isTerminal', () => {
  // Only the kind decides; the other fields of each state do not matter here.
  it.each<[JobStatus['kind'], boolean]>([
    ['queued', false],
    ['uploading', false],
    ['verifying', false],
    ['retrying', false],
    ['paused', false],
    ['done', true],
    ['failed', true],
    ['canceled', true],
    ['duplicate', true],
  ])('%s → %s', (kind, terminal) => {
    expect(isTerminal({ kind } as JobStatus)).toBe(terminal);
  });
});

describe('job status and view schemas', () => {
  const error = { code: 'network', message: 'offline', retryable: true, details: { host: 'h', errno: -3, fatal: false, hint: null } } as const;
  const result = { url: 'http://x/a', remoteId: 'r1', size: 3, mimetype: 'text/plain', filename: 'a.txt', md5: 'ab', contentKey: 'ck' };
  const states: JobStatus[] = [
    { kind: 'queued' },
    { kind: 'uploading' },
    { kind: 'uploading', trouble: { error, retryAt: 5 } },
    { kind: 'verifying' },
    { kind: 'retrying', attempt: 2, retryAt: 9, error },
    { kind: 'paused', reason: 'user' },
    { kind: 'paused', reason: 'auth', error },
    { kind: 'paused', reason: 'unstable' },
    { kind: 'done', result, verifiedAt: 7 },
    { kind: 'failed', error },
    { kind: 'canceled' },
    { kind: 'duplicate', existing: { url: 'http://x/b', remoteId: 'r0', finishedAt: 1 } },
  ];

  it.each(states)('keeps every field of %j', (status) => {
    expect(jobStatusSchema.parse(status)).toEqual(status);
  });

  it.each([
    { kind: 'hashing' },
    { kind: 'paused', reason: 'bored' },
    { kind: 'paused' },
    { kind: 'retrying', attempt: 0, retryAt: 1, error },
    { kind: 'failed', error: { ...error, code: 'nope' } },
    { kind: 'failed', error: { ...error, details: { nested: { a: 1 } } } },
    { kind: 'done', result: { ...result, size: -1 }, verifiedAt: 1 },
    { kind: 'duplicate', existing: { url: 'u', remoteId: 'r' } },
  ])('refuses %j', (status) => {
    expect(jobStatusSchema.safeParse(status).success).toBe(false);
  });

  it('keeps a job view whole and refuses an unknown destination', () => {
    const view = { id: 'j1', name: 'a.txt', relativePath: null, size: 3, destination: 'imagekit', status: { kind: 'queued' }, bytesSent: 0, attempts: 1, createdAt: 1, updatedAt: 2, speedBps: 0, etaSeconds: null, resentBytes: 0, batchId: 'b', watchFolderId: 'w' };
    expect(jobViewSchema.parse(view)).toEqual(view);
    expect(jobViewSchema.safeParse({ ...view, destination: 's3' }).success).toBe(false);
  });
});

describe('mimeMatchesType', () => {
  const table: [string | null | undefined, LibraryType[]][] = [
    ['image/png', ['image']],
    ['IMAGE/JPEG', ['image']],
    ['video/mp4', ['video', 'media']],
    ['Audio/Mpeg', ['audio', 'media']],
    ['application/pdf', ['other']],
    ['text/plain', ['other']],
    ['', ['other']],
    [null, ['other']],
    [undefined, ['other']],
    // Only the top-level type counts: a subtype naming another type does not.
    ['application/video', ['other']],
    ['imagex/png', ['other']],
  ];
  const all: LibraryType[] = ['image', 'video', 'audio', 'media', 'other'];
  it.each(table)('%j matches exactly %j', (mime, matching) => {
    for (const type of all) expect(mimeMatchesType(mime, type), `${String(mime)} ${type}`).toBe(matching.includes(type));
    expect(mimeMatchesType(mime, undefined)).toBe(true);
  });
});

describe('isDestinationKind', () => {
  it('knows the three destinations, exactly', () => {
    for (const kind of ['local', 'filestack', 'imagekit']) expect(isDestinationKind(kind)).toBe(true);
    for (const kind of ['', 'Local', 'imagekit ', 's3', 'toString']) expect(isDestinationKind(kind)).toBe(false);
  });
});

describe('transferSettingsSchema', () => {
  const NUMBERS = { fileConcurrency: 2, partConcurrency: 3, bandwidthLimit: 0 };
  const parse = (extra: Record<string, unknown>) => transferSettingsSchema.safeParse({ ...NUMBERS, ...extra });
  const accepts = (extra: Record<string, unknown>): boolean => parse(extra).success;

  it('fills every later field with its default for a file that has only the numbers', () => {
    const r = transferSettingsSchema.parse(NUMBERS);
    expect(r).toEqual(DEFAULT_TRANSFER_SETTINGS);
    // A fresh copy, so changing a loaded file's actions cannot change the defaults.
    expect(r.linkActions).not.toBe(DEFAULT_LINK_ACTIONS);
    expect(Object.isFrozen(r.linkActions.local)).toBe(false);
  });

  it.each([
    ['fileConcurrency', 1, 16],
    ['partConcurrency', 1, 20],
    ['bandwidthLimit', 0, Number.MAX_SAFE_INTEGER],
  ])('%s runs from %d to %d, whole numbers only', (key, min, max) => {
    expect(accepts({ [key]: min })).toBe(true);
    expect(accepts({ [key]: max })).toBe(true);
    expect(accepts({ [key]: min - 1 })).toBe(false);
    expect(accepts({ [key]: max + 1 })).toBe(false);
    expect(accepts({ [key]: min + 0.5 })).toBe(false);
  });

  it('takes each link format, theme and store location, and nothing else', () => {
    for (const linkFormat of ['url', 'markdown', 'html', 'bbcode']) expect(accepts({ linkFormat })).toBe(true);
    for (const theme of ['system', 'light', 'dark']) expect(accepts({ theme })).toBe(true);
    for (const filestackLocation of ['s3', 'gcs', 'azure', 'rackspace', 'dropbox']) expect(accepts({ filestackLocation })).toBe(true);
    for (const bad of [{ linkFormat: 'rst' }, { linkFormat: '' }, { theme: 'auto' }, { theme: '' }, { filestackLocation: 'ftp' }]) expect(accepts(bad)).toBe(false);
  });

  it.each([
    ['', true],
    ['https://ik.imagekit.io/demo', true],
    ['http://127.0.0.1:8080', true],
    ['https://ik.imagekit.io/demo/sub/', true],
    ['ftp://ik.imagekit.io/demo', false],
    ['ik.imagekit.io/demo', false],
    ['https://', false],
    ['https://ik.imagekit.io/de mo', false],
    ['https://ik.imagekit.io/demo?x=1', false],
    ['https://ik.imagekit.io/demo#top', false],
    [' https://ik.imagekit.io/demo', false],
    ['https://ik.imagekit.io/demo ', false],
    [`https://h.example/${'a'.repeat(2048 - 'https://h.example/'.length)}`, true],
    [`https://h.example/${'a'.repeat(2049 - 'https://h.example/'.length)}`, false],
  ])('imagekitUrlEndpoint %j → %s', (imagekitUrlEndpoint, ok) => {
    expect(accepts({ imagekitUrlEndpoint })).toBe(ok);
  });

  it.each([
    ['', true],
    ['uploads/', true],
    ['a/b..c/d', true],
    ['/uploads', false],
    ['uploads/../x', false],
    ['..', false],
    ['a'.repeat(1024), true],
    ['a'.repeat(1025), false],
  ])('filestackStorePath %j → %s', (filestackStorePath, ok) => {
    expect(accepts({ filestackStorePath })).toBe(ok);
  });

  it.each([
    ['', true],
    ['my-bucket_1.eu', true],
    ['my bucket', false],
    ['a/b', false],
    ['bucket!', false],
    ['a'.repeat(255), true],
    ['a'.repeat(256), false],
  ])('filestackContainer %j → %s', (filestackContainer, ok) => {
    expect(accepts({ filestackContainer })).toBe(ok);
  });

  it('says what is wrong with an endpoint, a store path or a bucket', () => {
    const messages = (extra: Record<string, unknown>): string[] => {
      const r = parse(extra);
      return r.success ? [] : r.error.issues.map((i) => i.message);
    };
    expect(messages({ imagekitUrlEndpoint: 'ik.imagekit.io' })).toEqual(['must be an http(s) URL']);
    expect(messages({ filestackStorePath: '../x' })).toEqual(['must be a relative path without ".."']);
    expect(messages({ filestackContainer: 'a b' })).toEqual(['may hold only letters, digits, ".", "-" and "_"']);
  });

  it('refuses unknown keys and link actions with missing fields', () => {
    expect(accepts({ colour: 'red' })).toBe(false);
    expect(accepts({ linkActions: { ...DEFAULT_LINK_ACTIONS, local: { copy: null, open: false } } })).toBe(false);
    expect(accepts({ linkActions: { ...DEFAULT_LINK_ACTIONS, local: { copy: 'markdown', open: true, notify: false } } })).toBe(true);
  });
});

describe('transferSettingsPatchSchema', () => {
  it('leaves out what a patch omits instead of filling defaults', () => {
    expect(transferSettingsPatchSchema.parse({ theme: 'dark' })).toEqual({ theme: 'dark' });
    expect(transferSettingsPatchSchema.parse({})).toEqual({});
  });

  it('checks the fields it carries with the same rules', () => {
    expect(transferSettingsPatchSchema.safeParse({ fileConcurrency: 17 }).success).toBe(false);
    expect(transferSettingsPatchSchema.safeParse({ filestackStorePath: '/abs' }).success).toBe(false);
    expect(transferSettingsPatchSchema.safeParse({ extra: 1 }).success).toBe(false);
  });
});
