// Upper bounds on what the first message carries.

/** Upper bounds on the parts of the first message, in characters. */
export const PROMPT_LIMITS = { commitMessage: 2000, stat: 3000, diff: 8000, instructions: 6000 };

export function bound(text: string, max: number, what: string): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n[... ${what} cut at ${max} characters of ${text.length}]`;
}
