/**
 * Wire shapes of the index records: the file / file-version object (§5.2), the upload answer
 * (§2.3, `thumbnailUrl` there vs `thumbnail` here is ImageKit's own naming) and the folder object.
 */
import { encodeUrlPath } from '../../../src-shared/imagekit/url-encode.js';
import type { ResolvedAccount } from './account.js';
import { iso } from './http.js';
import { avFields, isVideo } from './metadata.js';
import { currentVersion, filePathOf, type FileRecord, type FolderRecord, type VersionRecord } from './store.js';

/** Named transformation used for media-library thumbnails. */
export const THUMBNAIL_TX = 'n-ik_ml_thumbnail';

/** `<baseUrl><endpointPath>` — the account's URL endpoint on this server. */
export const urlEndpointOf = (baseUrl: string, account: ResolvedAccount): string => `${baseUrl}${account.urlEndpointPath}`;

/** Delivery URL of a file path (percent-encoded like a WHATWG URL would). */
export const deliveryUrl = (endpoint: string, filePath: string): string => endpoint + encodeUrlPath(filePath);

/** Images: the named thumbnail of the file; videos: the same of its `ik-thumbnail.jpg` frame. */
const thumbnailUrl = (endpoint: string, filePath: string, v: VersionRecord): string | undefined => {
  if (v.fileType === 'image') return `${endpoint}/tr:${THUMBNAIL_TX}${encodeUrlPath(filePath)}`;
  return isVideo(v) ? `${endpoint}/tr:${THUMBNAIL_TX}${encodeUrlPath(filePath)}/ik-thumbnail.jpg` : undefined;
};

const versionInfo = (v: VersionRecord): { id: string; name: string } => ({ id: v.versionId, name: `Version ${v.number}` });

/** §5.2 file object; `version` selects a non-current version (then `type` is `file-version`). */
export function fileObject(f: FileRecord, endpoint: string, version?: VersionRecord): Record<string, unknown> {
  const cur = currentVersion(f);
  const v = version ?? cur;
  const filePath = filePathOf(f);
  const isVersion = v.versionId !== cur.versionId;
  const url = isVersion ? `${deliveryUrl(endpoint, filePath)}?ik-obj-version=${v.versionId}` : deliveryUrl(endpoint, filePath);
  const thumb = thumbnailUrl(endpoint, filePath, v);
  return {
    type: isVersion ? 'file-version' : 'file',
    name: f.name,
    createdAt: iso(isVersion ? v.createdAt : f.createdAt),
    updatedAt: iso(isVersion ? v.createdAt : f.updatedAt),
    fileId: f.fileId,
    tags: f.tags,
    AITags: f.AITags,
    versionInfo: versionInfo(v),
    embeddedMetadata: null,
    customCoordinates: f.customCoordinates,
    customMetadata: f.customMetadata,
    isPrivateFile: f.isPrivateFile,
    isPublished: f.isPublished,
    url,
    ...(thumb !== undefined ? { thumbnail: thumb } : {}),
    fileType: v.fileType,
    filePath,
    height: v.height,
    width: v.width,
    size: v.size,
    hasAlpha: v.hasAlpha,
    mime: v.mime,
    ...avFields(v),
    ...(f.description !== undefined ? { description: f.description } : {}),
  };
}

/** Keys `responseFields` may add to an upload answer. */
const RESPONSE_FIELDS = new Set(['tags', 'customCoordinates', 'isPrivateFile', 'isPublished', 'embeddedMetadata', 'customMetadata', 'metadata', 'selectedFieldsSchema']);

/** §2.3 upload answer; `extras` supplies `metadata` / `selectedFieldsSchema` when requested. */
export function uploadAnswer(
  f: FileRecord,
  endpoint: string,
  responseFields: readonly string[],
  extras: { metadata?: unknown; selectedFieldsSchema?: unknown } = {},
): Record<string, unknown> {
  const v = currentVersion(f);
  const filePath = filePathOf(f);
  const thumb = thumbnailUrl(endpoint, filePath, v);
  const out: Record<string, unknown> = {
    fileId: f.fileId,
    name: f.name,
    size: v.size,
    versionInfo: versionInfo(v),
    filePath,
    url: deliveryUrl(endpoint, filePath),
    fileType: v.fileType,
    ...(v.fileType === 'image' || isVideo(v) ? { height: v.height, width: v.width } : {}),
    ...avFields(v),
    ...(thumb !== undefined ? { thumbnailUrl: thumb } : {}),
    AITags: f.AITags,
  };
  if (f.extensionStatus && Object.keys(f.extensionStatus).length > 0) out.extensionStatus = f.extensionStatus;
  const full = fileObject(f, endpoint);
  for (const field of responseFields) {
    if (!RESPONSE_FIELDS.has(field)) continue;
    if (field === 'metadata') out.metadata = extras.metadata;
    else if (field === 'selectedFieldsSchema') out.selectedFieldsSchema = extras.selectedFieldsSchema ?? {};
    else out[field] = full[field];
  }
  return out;
}

/** §5.2 folder object. */
export function folderObject(f: FolderRecord): Record<string, unknown> {
  const parts = f.path.split('/').filter((s) => s !== '');
  return {
    type: 'folder',
    name: parts[parts.length - 1] ?? '',
    folderId: f.folderId,
    folderPath: f.path.replace(/\/$/, ''),
    createdAt: iso(f.createdAt),
    updatedAt: iso(f.updatedAt),
    customMetadata: {},
  };
}
