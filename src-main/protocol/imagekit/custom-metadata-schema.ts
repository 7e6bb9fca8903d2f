/**
 * Client-side validation of custom metadata field schemas (spec §6), in zod. Catching these
 * before the request gives the user one precise message instead of the server's generic 400.
 */
import { z } from 'zod';

export const FIELD_TYPES = ['Text', 'Textarea', 'Number', 'Date', 'Boolean', 'SingleSelect', 'MultiSelect'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

const selectOption = z.union([z.string(), z.number(), z.boolean()]);
/** ISO 8601 date or date-time (`2022-11-29`, `2022-11-29T10:11:10+00:00`, `…Z`). */
const isoDate = z.string().refine((s) => /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(s) && !Number.isNaN(Date.parse(s)), {
  message: 'must be an ISO 8601 date',
});

/** Keys and their value shapes, whatever the type. */
const schemaShape = {
  isValueRequired: z.boolean().optional(),
  defaultValue: z.union([selectOption, z.array(selectOption)]).optional(),
  minLength: z.number().int().nonnegative().optional(),
  maxLength: z.number().int().positive().optional(),
  minValue: z.union([z.number(), z.string()]).optional(),
  maxValue: z.union([z.number(), z.string()]).optional(),
  selectOptions: z.array(selectOption).min(1).optional(),
};

type SchemaInput = { [K in keyof typeof schemaShape]?: z.infer<(typeof schemaShape)[K]> } & { type?: FieldType };

const num = (v: unknown): number => (typeof v === 'number' ? v : Date.parse(String(v)));

/** The cross-field rules, given the type (`undefined` on update, where only shape rules apply). */
function refine(s: SchemaInput, type: FieldType | undefined, ctx: z.RefinementCtx): void {
  const issue = (message: string, path: string): void => ctx.addIssue({ code: 'custom', message, path: [path] });
  const isText = type === 'Text' || type === 'Textarea';
  const isSelect = type === 'SingleSelect' || type === 'MultiSelect';
  if (type !== undefined) {
    if (!isText && (s.minLength !== undefined || s.maxLength !== undefined)) issue(`minLength/maxLength apply only to Text and Textarea, not ${type}`, 'minLength');
    if (type !== 'Number' && type !== 'Date' && (s.minValue !== undefined || s.maxValue !== undefined)) issue(`minValue/maxValue apply only to Number and Date, not ${type}`, 'minValue');
    if (isSelect && s.selectOptions === undefined) issue(`selectOptions is required for ${type}`, 'selectOptions');
    if (!isSelect && s.selectOptions !== undefined) issue(`selectOptions applies only to SingleSelect and MultiSelect, not ${type}`, 'selectOptions');
    if (s.isValueRequired === true && s.defaultValue === undefined) issue('defaultValue is required when isValueRequired is true', 'defaultValue');
  }
  for (const k of ['minValue', 'maxValue'] as const) {
    const v = s[k];
    if (v === undefined) continue;
    if (type === 'Number' && typeof v !== 'number') issue(`${k} must be a number for Number fields`, k);
    if (type === 'Date' && !isoDate.safeParse(v).success) issue(`${k} must be an ISO 8601 date for Date fields`, k);
  }
  if (s.minLength !== undefined && s.maxLength !== undefined && s.minLength > s.maxLength) issue('minLength must not exceed maxLength', 'minLength');
  if (s.minValue !== undefined && s.maxValue !== undefined && num(s.minValue) > num(s.maxValue)) issue('minValue must not exceed maxValue', 'minValue');
  if (s.defaultValue !== undefined && type !== undefined) checkDefault(s, type, issue);
}

function checkDefault(s: SchemaInput, type: FieldType, issue: (m: string, p: string) => void): void {
  const d = s.defaultValue;
  const options = s.selectOptions ?? [];
  const inOptions = (v: unknown): boolean => options.some((o) => o === v);
  switch (type) {
    case 'Text':
    case 'Textarea':
      if (typeof d !== 'string') return issue(`defaultValue must be a string for ${type}`, 'defaultValue');
      if ((s.minLength !== undefined && d.length < s.minLength) || (s.maxLength !== undefined && d.length > s.maxLength)) {
        issue('defaultValue length is outside minLength..maxLength', 'defaultValue');
      }
      return;
    case 'Number':
      if (typeof d !== 'number' || !Number.isFinite(d)) return issue('defaultValue must be a number for Number', 'defaultValue');
      if ((typeof s.minValue === 'number' && d < s.minValue) || (typeof s.maxValue === 'number' && d > s.maxValue)) issue('defaultValue is outside minValue..maxValue', 'defaultValue');
      return;
    case 'Date':
      if (!isoDate.safeParse(d).success) return issue('defaultValue must be an ISO 8601 date for Date', 'defaultValue');
      if ((s.minValue !== undefined && num(d) < num(s.minValue)) || (s.maxValue !== undefined && num(d) > num(s.maxValue))) issue('defaultValue is outside minValue..maxValue', 'defaultValue');
      return;
    case 'Boolean':
      if (typeof d !== 'boolean') issue('defaultValue must be true or false for Boolean', 'defaultValue');
      return;
    case 'SingleSelect':
      if (Array.isArray(d) || !inOptions(d)) issue('defaultValue must be one of selectOptions', 'defaultValue');
      return;
    case 'MultiSelect':
      if (!Array.isArray(d) || d.some((v) => !inOptions(v))) issue('defaultValue must be an array of selectOptions values', 'defaultValue');
      return;
  }
}

/** A full schema, as sent on create (`type` mandatory). */
export const fieldSchemaSchema = z
  .strictObject({ type: z.enum(FIELD_TYPES), ...schemaShape })
  .superRefine((s, ctx) => refine(s, s.type, ctx));
export type CustomMetadataFieldSchema = z.infer<typeof fieldSchemaSchema>;

/** A schema change on update: the type cannot change, so `type` is not allowed. */
export const fieldSchemaUpdateSchema = z.strictObject(schemaShape).superRefine((s, ctx) => refine(s, undefined, ctx));
export type CustomMetadataFieldSchemaUpdate = z.infer<typeof fieldSchemaUpdateSchema>;

/** A field as the server returns it. */
export const customMetadataFieldSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  label: z.string(),
  schema: z.looseObject({ type: z.string() }),
  description: z.string().optional(),
});
export type CustomMetadataField = z.infer<typeof customMetadataFieldSchema>;

/** First zod issue as one readable line: `schema.defaultValue: must be …`. */
export function describeIssue(error: z.ZodError, prefix: string): string {
  const first = error.issues[0];
  if (!first) return `Invalid value for ${prefix}`;
  const path = [prefix, ...first.path.map(String)].join('.');
  return `${path}: ${first.message}`;
}
