import { z } from "zod";
import { DrawbridgeConfig } from "../../shared/config/drawbridge-config.js";

/** A JSON Schema node, as far as the walkers here read it. */
export type SchemaNode = {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  format?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: SchemaNode | boolean;
  propertyNames?: SchemaNode;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  allOf?: SchemaNode[];
};

/**
 * The JSON Schema of drawbridge.config.json, generated from the zod schema (io "input": what a user
 * writes, so keys with defaults are optional). Shipped as drawbridge.config.schema.json.
 */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(DrawbridgeConfig, { io: "input", target: "draft-2020-12" });
  return {
    ...schema,
    title: "drawbridge.config.json",
    description:
      "Drawbridge's one config file: npm start and drawbridge deploy both turn it into the Worker's vars. Environment variables override it; secrets never go in it.",
  };
}

/** Every named property in the schema, with its dotted path ("access.rateLimits.owner.tool"); `*` stands for a record's key. */
export function schemaProperties(node: SchemaNode, path: string[] = []): { path: string; node: SchemaNode; required: boolean }[] {
  const found: { path: string; node: SchemaNode; required: boolean }[] = [];
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    const childPath = [...path, name];
    found.push({ path: childPath.join("."), node: child, required: node.required?.includes(name) ?? false });
    found.push(...schemaProperties(child, childPath));
  }
  if (typeof node.additionalProperties === "object") found.push(...schemaProperties(node.additionalProperties, [...path, "*"]));
  if (node.items) found.push(...schemaProperties(node.items, [...path, "[]"]));
  for (const option of [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])]) found.push(...schemaProperties(option, path));
  return found;
}
