/**
 * `POST /api/v1/files/upload` (spec §2): authenticates (Basic, or client-side token/expire/
 * signature), reads the file (binary part, base64, or URL), applies a `pre` transformation,
 * stores the blob, then commits the index entry — a new file, or a new version when the name
 * exists and overwriting is allowed.
 */
import { rm } from 'node:fs/promises';
import { verifyClientUpload } from '../../protocol/imagekit/auth-params.js';
import { renderImage } from '../processing/render.js';
import { sendJson, type Route } from '../router.js';
import type { StoredFile } from '../storage.js';
import { randomId } from '../storage.js';
import type { ResolvedAccount } from './account.js';
import { authenticate, basicUsername, CANNOT_AUTHENTICATE } from './auth.js';
import { applyCustomMetadata } from './custom-fields.js';
import { IkError } from './http.js';
import { metadataOf, probe } from './metadata.js';
import { planTransformation } from './render-adapter.js';
import type { ImageKitRuntime } from './routes-types.js';
import { newId, type FileRecord, type ImageKitStore, type VersionRecord } from './store.js';
import { enforceChecks } from './upload-checks.js';
import { readUploadForm } from './upload-form.js';
import { parseUploadOptions, type UploadOptions } from './upload-options.js';
import { resolveTextFile } from './upload-source.js';
import { fetchPolicyOf } from '../fetch-capped.js';
import { uploadAnswer, urlEndpointOf } from './views.js';
import { sendUploadWebhook } from './webhook.js';

/** Exact §2.4 text for a name collision with overwriting disabled. */
export const DUPLICATE_NAME_MESSAGE =
  'A file with the same name already exists at the exact location. We could not overwrite it because both overwriteFile and useUniqueFileName are set to false.';

const DEFAULT_MAX_UPLOAD = 200 * 1024 * 1024;

/** `name.ext` → `name_<9 random chars>.ext` (ImageKit's unique-name style). */
const uniqueName = (name: string): string => {
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  return `${stem}_${randomId(9)}${ext}`;
};

/** The account for a client-side upload: publicKey + a valid token/expire/signature (§3). */
function clientSideAccount(fields: Readonly<Record<string, string>>, runtime: ImageKitRuntime): ResolvedAccount {
  const publicKey = fields.publicKey;
  if (publicKey === undefined || publicKey === '') {
    throw new IkError(401, 'Your request does not contain a private API key or client-side upload parameters (publicKey, token, signature, expire).');
  }
  const account = runtime.accounts.find((a) => a.publicKey === publicKey);
  if (!account) throw new IkError(403, CANNOT_AUTHENTICATE);
  return account;
}

function checkClientAuth(fields: Readonly<Record<string, string>>, account: ResolvedAccount, store: ImageKitStore): void {
  const check = verifyClientUpload({
    token: fields.token,
    expire: fields.expire,
    signature: fields.signature,
    privateKey: account.privateKey,
    now: Date.now() / 1000,
    seenTokens: store.seenTokens,
  });
  if (!check.ok) throw new IkError(400, check.message);
}

/** Stores the (possibly pre-transformed) bytes as a blob. */
async function storeBlob(
  store: ImageKitStore,
  source: { binary: { path: string; size: number; md5: string; sha256: string } | null; bytes: Buffer | null },
  opts: UploadOptions,
  filePath: string,
): Promise<StoredFile> {
  const meta = { filename: opts.fileName, mimetype: 'application/octet-stream', apikey: `imagekit:${store.account.imagekitId}`, key: filePath, path: filePath, container: 'imagekit', location: 'local' };
  if (opts.preTransformation !== undefined) {
    const plan = planTransformation(opts.preTransformation);
    if (!plan.original) {
      const input = source.binary?.path ?? source.bytes ?? Buffer.alloc(0);
      const rendered = await renderImage(input, plan.ops, { scratchDir: store.storage.tmpDir });
      if (source.binary) await rm(source.binary.path, { force: true });
      return store.storage.putBuffer(rendered.data, meta);
    }
  }
  if (source.binary) return store.storage.commit(source.binary, meta);
  return store.storage.putBuffer(source.bytes ?? Buffer.alloc(0), meta);
}

/** Creates the file, or a new version of an existing one (inside the store lock). */
function commitUpload(store: ImageKitStore, opts: UploadOptions, name: string, version: VersionRecord): { file: FileRecord; replaced: boolean } {
  const existing = store.byPath(opts.folder + name);
  if (existing && !opts.overwriteFile) throw new IkError(400, DUPLICATE_NAME_MESSAGE);
  const now = version.createdAt;
  if (existing) {
    const customMetadata = applyCustomMetadata(store, opts.overwriteCustomMetadata ? {} : existing.customMetadata, opts.customMetadata, {
      isNew: opts.overwriteCustomMetadata,
      allowUnset: false,
    });
    const file: FileRecord = {
      ...existing,
      tags: opts.tags ?? (opts.overwriteTags ? null : existing.tags),
      AITags: opts.overwriteAITags ? null : existing.AITags,
      customMetadata,
      customCoordinates: opts.customCoordinates ?? existing.customCoordinates,
      isPrivateFile: opts.isPrivateFile ?? existing.isPrivateFile,
      isPublished: opts.isPublished ?? existing.isPublished,
      ...(opts.description !== undefined ? { description: opts.description } : {}),
      extensionStatus: extensionStatus(opts),
      updatedAt: now,
      versions: [...existing.versions, { ...version, number: existing.nextVersion }],
      currentVersionId: version.versionId,
      nextVersion: existing.nextVersion + 1,
    };
    store.files.set(file.fileId, file);
    return { file, replaced: true };
  }
  const file: FileRecord = {
    fileId: newId(),
    name,
    folder: opts.folder,
    tags: opts.tags ?? null,
    AITags: null,
    customCoordinates: opts.customCoordinates ?? null,
    customMetadata: applyCustomMetadata(store, {}, opts.customMetadata, { isNew: true, allowUnset: false }),
    isPrivateFile: opts.isPrivateFile ?? false,
    isPublished: opts.isPublished ?? true,
    ...(opts.description !== undefined ? { description: opts.description } : {}),
    extensionStatus: extensionStatus(opts),
    createdAt: now,
    updatedAt: now,
    currentVersionId: version.versionId,
    versions: [{ ...version, number: 1 }],
    nextVersion: 2,
  };
  store.ensureFolder(opts.folder, now);
  store.files.set(file.fileId, file);
  return { file, replaced: false };
}

/** The emulator runs no AI/background-removal extensions: each one reports `failed`. */
const extensionStatus = (opts: UploadOptions): Record<string, string> => Object.fromEntries(opts.extensions.map((e) => [e.name, 'failed']));

/** Route handler for the upload endpoint. */
export function uploadHandler(runtime: ImageKitRuntime): Route['handler'] {
  const maxBytes = runtime.options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD;
  const probeOptions = runtime.options.video?.ffprobePath !== undefined ? { ffprobePath: runtime.options.video.ffprobePath } : {};
  return async (req, res, _match, ctx) => {
    // With a Basic header, refuse bad keys before reading a possibly large body.
    const basicAccount = basicUsername(req) !== null ? authenticate(req, runtime.accounts) : null;
    const form = await readUploadForm(req, ctx.storage, maxBytes);
    let blob: StoredFile | null = null;
    try {
      const account = basicAccount ?? clientSideAccount(form.fields, runtime);
      const store = await runtime.storeFor(ctx, account);
      if (!basicAccount) checkClientAuth(form.fields, account, store);
      const opts = parseUploadOptions(form.fields);
      const text = form.fields.file;
      if (!form.binary && (text === undefined || text === '' || text === 'undefined')) throw new IkError(400, 'Missing file parameter for upload');
      const bytes = form.binary ? null : await resolveTextFile(text ?? '', { maxBytes, timeoutMs: runtime.options.urlFetchTimeoutMs ?? 8000, ...fetchPolicyOf(ctx) });
      const name = opts.useUniqueFileName ? uniqueName(opts.fileName) : opts.fileName;
      blob = await storeBlob(store, { binary: form.binary, bytes }, opts, opts.folder + name);
      const p = await probe(store.storage.blobPath(blob.handle), name, { ...probeOptions, log: (m) => ctx.log?.('info', m) });
      enforceChecks(opts.checks, { folder: opts.folder, size: blob.size, mime: p.mime });
      const version: VersionRecord = { versionId: newId(), number: 1, handle: blob.handle, size: blob.size, ...p, createdAt: Date.now() };
      const { file } = await store.mutate(() => commitUpload(store, opts, name, version));
      blob = null;
      const endpoint = urlEndpointOf(ctx.baseUrl, account);
      const metadata = opts.responseFields.includes('metadata') ? await metadataOf(store.storage.blobPath(version.handle), version.size, p) : undefined;
      const answer = uploadAnswer(file, endpoint, opts.responseFields, { metadata });
      if (opts.webhookUrl !== undefined) sendUploadWebhook(account, opts.webhookUrl, answer, ctx);
      sendJson(res, 200, answer);
    } catch (err) {
      if (blob) await ctx.storage.remove(blob.handle);
      else if (form.binary) await rm(form.binary.path, { force: true });
      throw err;
    }
  };
}
