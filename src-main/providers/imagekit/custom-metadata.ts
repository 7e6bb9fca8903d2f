/**
 * Custom metadata fields API (spec §6): create (201), list, update, delete (204), with the schema
 * validated client-side first (custom-metadata-schema.ts); violations are typed bad_request.
 */
import { z } from 'zod';
import {
  customMetadataFieldSchema,
  describeIssue,
  fieldSchemaSchema,
  fieldSchemaUpdateSchema,
  type CustomMetadataField,
  type CustomMetadataFieldSchema,
  type CustomMetadataFieldSchemaUpdate,
} from '../../protocol/imagekit/custom-metadata-schema.js';
import { apiCall, badRequest, expectShape, seg, type CallOptions, type ResolvedConfig } from './transport.js';
import { requireId } from './validate.js';

export type CreateCustomMetadataField = {
  readonly name: string;
  readonly label: string;
  readonly schema: CustomMetadataFieldSchema;
  readonly description?: string;
};

export type UpdateCustomMetadataField = {
  readonly label?: string;
  readonly schema?: CustomMetadataFieldSchemaUpdate;
  readonly description?: string;
};

function checkSchema<T>(schema: z.ZodType<T>, value: unknown, help: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw badRequest(`Invalid value for schema (${describeIssue(r.error, 'schema')})`, help);
  return r.data;
}

/** `POST /v1/customMetadataFields`. `name` is the key used in customMetadata and is immutable. */
export async function createCustomMetadataField(cfg: ResolvedConfig, field: CreateCustomMetadataField, call: CallOptions = {}): Promise<CustomMetadataField> {
  if (typeof field?.name !== 'string' || field.name === '') throw badRequest('Missing name parameter for this request');
  if (typeof field.label !== 'string' || field.label === '') throw badRequest('Missing label parameter for this request');
  if (field.schema === undefined || field.schema === null) throw badRequest('Missing schema parameter for this request');
  if (typeof field.schema !== 'object' || !('type' in field.schema)) throw badRequest('Invalid value for schema', 'schema should have a mandatory type field.');
  const schema = checkSchema(fieldSchemaSchema, field.schema, 'See the custom metadata schema rules: type-specific keys and a defaultValue that matches the type.');
  const body = { name: field.name, label: field.label, schema, ...(field.description !== undefined ? { description: field.description } : {}) };
  const res = await apiCall(cfg, { ...call, method: 'POST', path: '/v1/customMetadataFields', json: body });
  return expectShape('create custom metadata field', customMetadataFieldSchema, res.data);
}

/** `GET /v1/customMetadataFields`; deleted fields only with `includeDeleted`. */
export async function listCustomMetadataFields(
  cfg: ResolvedConfig,
  opts: { readonly includeDeleted?: boolean; readonly folderPath?: string } = {},
  call: CallOptions = {},
): Promise<CustomMetadataField[]> {
  const res = await apiCall(cfg, {
    ...call,
    method: 'GET',
    path: '/v1/customMetadataFields',
    query: { includeDeleted: opts.includeDeleted ?? false, folderPath: opts.folderPath },
  });
  return expectShape('list custom metadata fields', z.array(customMetadataFieldSchema), res.data);
}

/** `PATCH /v1/customMetadataFields/{id}`: only `label`, `schema` (without `type`) and `description`. */
export async function updateCustomMetadataField(cfg: ResolvedConfig, fieldId: string, update: UpdateCustomMetadataField, call: CallOptions = {}): Promise<CustomMetadataField> {
  const id = requireId(fieldId, 'fieldId');
  if (typeof update !== 'object' || update === null || (update.label === undefined && update.schema === undefined && update.description === undefined)) {
    throw badRequest('Both label and schema is missing');
  }
  if (update.label !== undefined && (typeof update.label !== 'string' || update.label === '')) throw badRequest('Invalid value for label');
  const body: Record<string, unknown> = {};
  if (update.label !== undefined) body.label = update.label;
  if (update.schema !== undefined) body.schema = checkSchema(fieldSchemaUpdateSchema, update.schema, 'A field keeps its type; send only the keys to change.');
  if (update.description !== undefined) body.description = update.description;
  const res = await apiCall(cfg, { ...call, method: 'PATCH', path: `/v1/customMetadataFields/${seg(id)}`, json: body });
  return expectShape('update custom metadata field', customMetadataFieldSchema, res.data);
}

/** `DELETE /v1/customMetadataFields/{id}` (204). */
export async function deleteCustomMetadataField(cfg: ResolvedConfig, fieldId: string, call: CallOptions = {}): Promise<void> {
  await apiCall(cfg, { ...call, method: 'DELETE', path: `/v1/customMetadataFields/${seg(requireId(fieldId, 'fieldId'))}` });
}
