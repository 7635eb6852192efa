/**
 * What a log line may say of a webhook's refusal: the problem's `code` and the names of its failing
 * fields. Never its `detail` or an issue's message, which may quote the value that failed (part
 * of an address, a card token); the dead letter keeps the whole answer.
 */
export type Refusal = { code?: string; fields?: string[] };

const maxFields = 20;
const maxLength = 100;

export function refusalOf(body: string): Refusal {
  let problem: unknown;
  try {
    problem = JSON.parse(body);
  } catch {
    return {};
  }
  if (typeof problem !== "object" || problem === null) return {};
  const { code, errors } = problem as { code?: unknown; errors?: unknown };
  const fields = Array.isArray(errors)
    ? errors.flatMap((issue: { field?: unknown }) => (typeof issue?.field === "string" ? [issue.field.slice(0, maxLength)] : [])).slice(0, maxFields)
    : [];
  return { ...(typeof code === "string" ? { code: code.slice(0, maxLength) } : {}), ...(fields.length > 0 ? { fields } : {}) };
}
