import * as v from "valibot";

/** A character class's contents (as inside `[...]`, with the `u` flag) and why they are refused. */
type TextRule = { characters: string; message: string };

/**
 * What no text field of ours may hold, in the order they are reported.
 * - A lone surrogate is not Unicode: JSON.stringify writes it as `\ud800`, which PostgreSQL's json
 *   and jsonb parsers refuse (22P02, a 500 with the whole row in the driver's error), and a UTF-8
 *   encoder turns it into U+FFFD without a word. With the `u` flag a regex sees it as one code
 *   point, so a `[^...]` class lets it through; `\p{Cs}` matches it, and a proper pair (one code
 *   point, an emoji say) does not.
 * - Control characters, C0, DEL and C1 (\p{Cc}): NUL cannot be stored in text or jsonb, and the
 *   others break lines or start terminal escape sequences (U+009B is CSI) in logs.
 * - Bidirectional controls reorder what is shown (CVE-2021-42574, "Trojan Source"): a message or
 *   a log line would read differently from what it holds.
 * - Line and paragraph separators end a line in many viewers, forging another log line.
 */
const rules: readonly TextRule[] = [
  { characters: String.raw`\p{Cs}`, message: "must be well-formed Unicode (a lone surrogate is not)" },
  { characters: String.raw`\p{Cc}`, message: "must not contain control characters (U+0000-U+001F, U+007F-U+009F)" },
  {
    characters: String.raw`\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069`,
    message: "must not contain bidirectional controls (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069)",
  },
  { characters: String.raw`\u2028\u2029`, message: "must not contain line or paragraph separators (U+2028, U+2029)" },
];

const ruleChecks = rules.map(({ characters, message }) => ({ refused: new RegExp(`[${characters}]`, "u"), message }));

/**
 * Every rule's characters in one class: a text is read once, not once per rule, and almost every
 * text has none of them (each event's fields go through this, 1 % of a worker's CPU under load).
 */
const anyRefused = new RegExp(`[${rules.map((rule) => rule.characters).join("")}]`, "u");

/** Why `text` may not be stored or shown as it is, or undefined when it may. */
export function textProblem(text: string): string | undefined {
  if (!anyRefused.test(text)) return undefined;
  return ruleChecks.find((check) => check.refused.test(text))?.message;
}

export function isPlainText(text: string): boolean {
  return textProblem(text) === undefined;
}

/** The check as a valibot action, for strings that are not a `line` (header values, attributes). */
export const plainText = v.check<string, (issue: v.CheckIssue<string>) => string>(
  isPlainText,
  (issue) => textProblem(issue.input) ?? "is not plain text",
);

/** One line of text a person can read and PostgreSQL can store, of bounded length. */
export function line(maxLength: number) {
  return v.pipe(v.string(), v.nonEmpty(), v.maxLength(maxLength), plainText);
}
