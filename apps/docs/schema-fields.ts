/**
 * The shape of a valibot schema as the docs show it: field names, `?` for optional, nested objects
 * in braces, arrays in brackets, and the values of a picklist. Only what valibot's schema objects
 * expose at run time is read (`type`, `entries`, `item`, `wrapped`, `options`, `literal`).
 */
export type SchemaNode = {
  type: string;
  entries?: Record<string, SchemaNode>;
  item?: SchemaNode;
  wrapped?: SchemaNode;
  options?: readonly unknown[];
  literal?: unknown;
};

const optionalTypes = new Set(["optional", "exact_optional", "nullish", "undefinedable"]);
const objectTypes = new Set(["object", "loose_object", "strict_object", "object_with_rest"]);

/** `orderId, items[{productId, quantity}], payment{method, token?}` for an object schema. */
export function describeFields(schema: SchemaNode): string {
  if (!schema.entries) throw new Error(`describeFields: expected an object schema, got "${schema.type}"`);
  return Object.entries(schema.entries)
    .map(([name, field]) => describeField(name, field))
    .join(", ");
}

function describeField(name: string, schema: SchemaNode): string {
  if (optionalTypes.has(schema.type) && schema.wrapped) return describeField(`${name}?`, schema.wrapped);
  return `${name}${describeShape(schema)}`;
}

/** What follows a field's name: nothing for a scalar. */
function describeShape(schema: SchemaNode): string {
  if (objectTypes.has(schema.type)) return `{${describeFields(schema)}}`;
  if (schema.type === "array" && schema.item) return objectTypes.has(schema.item.type) ? `[{${describeFields(schema.item)}}]` : "[]";
  if (schema.type === "picklist" && schema.options) return ` (${schema.options.map((option) => `\`${String(option)}\``).join(", ")})`;
  if (schema.type === "literal") return ` (\`${String(schema.literal)}\`)`;
  return "";
}
