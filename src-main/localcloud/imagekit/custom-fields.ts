/**
 * Custom metadata fields (spec §6): CRUD routes and the check of a file's `customMetadata`
 * values against the field schemas (upload and update). Schema validation reuses the zod schemas
 * the client validates with, so both sides agree on what a valid schema is.
 */
import { describeIssue, fieldSchemaSchema, fieldSchemaUpdateSchema } from '../../protocol/imagekit/custom-metadata-schema.js';
import { sendJson } from '../router.js';
import { IkError, parseBool, queryParams, readJsonObject, sendEmpty } from './http.js';
import type { ApiHandler } from './routes-types.js';
import { newId, type FieldRecord, type ImageKitStore } from './store.js';

const NOT_FOUND = 'No such custom metadata field exists';

const fieldObject = (f: FieldRecord): Record<string, unknown> => ({
  id: f.id,
  name: f.name,
  label: f.label,
  schema: f.schema,
  ...(f.description !== undefined ? { description: f.description } : {}),
  ...(f.deleted ? { deleted: true } : {}),
});

function validSchema(value: unknown, update: boolean): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new IkError(400, 'Invalid value for schema', { help: 'schema should have a mandatory type field.' });
  const parsed = (update ? fieldSchemaUpdateSchema : fieldSchemaSchema).safeParse(value);
  if (!parsed.success) throw new IkError(400, `Invalid value for ${describeIssue(parsed.error, 'schema')}`);
  return parsed.data as Record<string, unknown>;
}

function liveField(store: ImageKitStore, id: string): FieldRecord {
  const f = store.fields.get(id);
  if (!f || f.deleted) throw new IkError(404, NOT_FOUND);
  return f;
}

/** POST /v1/customMetadataFields → 201 field. */
export const createField: ApiHandler = async ({ req, res, store }) => {
  const body = await readJsonObject(req);
  for (const k of ['name', 'label'] as const) {
    if (typeof body[k] !== 'string' || body[k].trim() === '') throw new IkError(400, `Missing ${k} parameter for this request`);
  }
  if (body.schema === undefined) throw new IkError(400, 'Missing schema parameter for this request');
  const schema = validSchema(body.schema, false);
  const name = String(body.name);
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(name)) throw new IkError(400, 'Your request contains invalid name parameter. Use letters, digits, _ and -.');
  const field = await store.mutate(() => {
    if ([...store.fields.values()].some((f) => !f.deleted && f.name === name)) throw new IkError(400, 'A custom metadata field with this name already exists');
    const f: FieldRecord = { id: newId(), name, label: String(body.label), schema, deleted: false, ...(typeof body.description === 'string' ? { description: body.description } : {}) };
    store.fields.set(f.id, f);
    return f;
  });
  sendJson(res, 201, fieldObject(field));
};

/** GET /v1/customMetadataFields[?includeDeleted=true] */
export const listFields: ApiHandler = ({ req, res, store }) => {
  const includeDeleted = parseBool(queryParams(req).get('includeDeleted') ?? undefined, 'includeDeleted') ?? false;
  sendJson(res, 200, [...store.fields.values()].filter((f) => includeDeleted || !f.deleted).map(fieldObject));
};

/** PATCH /v1/customMetadataFields/{id} with `label` and/or `schema` (no `type`). */
export const updateField: ApiHandler = async ({ req, res, store, match }) => {
  const id = match[1] ?? '';
  const body = await readJsonObject(req);
  if (body.label === undefined && body.schema === undefined) throw new IkError(400, 'Both label and schema is missing');
  if (body.label !== undefined && (typeof body.label !== 'string' || body.label.trim() === '')) throw new IkError(400, 'Invalid value for label');
  const change = body.schema !== undefined ? validSchema(body.schema, true) : undefined;
  const field = await store.mutate(() => {
    const f = liveField(store, id);
    const schema = change ? validSchema({ ...f.schema, ...change }, false) : f.schema;
    const next: FieldRecord = { ...f, schema, ...(typeof body.label === 'string' ? { label: body.label } : {}), ...(typeof body.description === 'string' ? { description: body.description } : {}) };
    store.fields.set(id, next);
    return next;
  });
  sendJson(res, 200, fieldObject(field));
};

/** DELETE /v1/customMetadataFields/{id} → 204. */
export const deleteField: ApiHandler = async ({ res, store, match }) => {
  const id = match[1] ?? '';
  await store.mutate(() => {
    store.fields.set(id, { ...liveField(store, id), deleted: true });
  });
  sendEmpty(res, 204);
};

const isoDate = (v: unknown): number => (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) ? Date.parse(v) : NaN);

/** Why `value` does not fit `schema`, or null. */
function valueProblem(schema: Record<string, unknown>, value: unknown): string | null {
  const { type, minLength, maxLength, minValue, maxValue } = schema;
  const options = Array.isArray(schema.selectOptions) ? (schema.selectOptions as unknown[]) : [];
  switch (type) {
    case 'Text':
    case 'Textarea':
      if (typeof value !== 'string') return 'must be a string';
      if (typeof minLength === 'number' && value.length < minLength) return `must be at least ${minLength} characters`;
      if (typeof maxLength === 'number' && value.length > maxLength) return `must be at most ${maxLength} characters`;
      return null;
    case 'Number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
      if (typeof minValue === 'number' && value < minValue) return `must be at least ${minValue}`;
      if (typeof maxValue === 'number' && value > maxValue) return `must be at most ${maxValue}`;
      return null;
    case 'Date': {
      const t = isoDate(value);
      if (Number.isNaN(t)) return 'must be an ISO 8601 date';
      if (minValue !== undefined && t < isoDate(minValue)) return `must not be before ${String(minValue)}`;
      if (maxValue !== undefined && t > isoDate(maxValue)) return `must not be after ${String(maxValue)}`;
      return null;
    }
    case 'Boolean':
      return typeof value === 'boolean' ? null : 'must be true or false';
    case 'SingleSelect':
      return options.some((o) => o === value) ? null : 'must be one of the field\'s selectOptions';
    case 'MultiSelect':
      return Array.isArray(value) && value.every((v) => options.some((o) => o === v)) ? null : 'must be an array of the field\'s selectOptions';
    default:
      return null;
  }
}

/**
 * Checks `incoming` customMetadata against the live fields and returns the merged result.
 * `base` is the file's current values ({} for a new file, which also receives every field's
 * defaultValue); a `null` value unsets a key when `allowUnset`. Violations → 400.
 */
export function applyCustomMetadata(
  store: ImageKitStore,
  base: Readonly<Record<string, unknown>>,
  incoming: unknown,
  opts: { isNew: boolean; allowUnset: boolean },
): Record<string, unknown> {
  const fields = new Map([...store.fields.values()].filter((f) => !f.deleted).map((f) => [f.name, f]));
  const out: Record<string, unknown> = { ...base };
  if (opts.isNew) for (const f of fields.values()) if (f.schema.defaultValue !== undefined) out[f.name] = f.schema.defaultValue;
  if (incoming === undefined) return out;
  if (typeof incoming !== 'object' || incoming === null || Array.isArray(incoming)) throw new IkError(400, 'Invalid value for customMetadata. It should be a JSON object.');
  for (const [key, value] of Object.entries(incoming)) {
    const field = fields.get(key);
    if (!field) throw new IkError(400, `Invalid custom metadata: the field "${key}" does not exist. Create it first.`);
    if (value === null && opts.allowUnset) {
      if (field.schema.isValueRequired === true) throw new IkError(400, `Invalid custom metadata: "${key}" is required and cannot be unset.`);
      delete out[key];
      continue;
    }
    const problem = valueProblem(field.schema, value);
    if (problem) throw new IkError(400, `Invalid custom metadata: value of "${key}" ${problem}.`);
    out[key] = value;
  }
  return out;
}
