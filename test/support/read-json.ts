import type { z } from "zod";
import { ErrorBody, type WireError } from "../../shared/wire-error.js";

/**
 * A response's JSON body read with the schema the product answers with, never cast: a body of
 * another shape fails here, naming the status and the first bad key.
 */
export async function readJson<S extends z.ZodType>(response: Response, schema: S): Promise<z.output<S>> {
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new Error(`HTTP ${response.status}: the body is not JSON: ${text.slice(0, 200)}`, { cause });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `HTTP ${response.status}: unexpected body at ${issue?.path.join(".") || "(root)"}: ${issue?.message}: ${text.slice(0, 500)}`,
    );
  }
  return parsed.data;
}

/** The error an HTTP route answered with (the one ErrorBody every route uses). */
export async function readError(response: Response): Promise<WireError> {
  return (await readJson(response, ErrorBody)).error;
}
