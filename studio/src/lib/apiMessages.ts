/**
 * The API names each offending field as `Invalid body: password: must be at least 8 characters` (scripts read
 * the field's path); the studio says the same as a sentence: "Password must be at least 8 characters."
 */
const INVALID = /^Invalid (body|query|params): (.+)$/s;
/** A message that goes on from the field's name ("Password must be…"); others follow a colon. */
const PREDICATE = /^(must|is|are|should|cannot|can't|needs?|has|have|does|was|may)\b/;

function fieldName(path: string): string {
  const last =
    path
      .split('.')
      .filter((part) => !/^\d+$/.test(part))
      .pop() ?? path;
  const words = last
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const sentence = (text: string) => {
  const trimmed = text.trim();
  return /[.!?…]$/.test(trimmed) ? trimmed : `${trimmed}.`;
};

export function readableApiMessage(message: string): string {
  const invalid = INVALID.exec(message);
  if (!invalid) return message;
  return invalid[2]
    .split('; ')
    .map((issue) => {
      const colon = issue.indexOf(': ');
      if (colon <= 0 || /\s/.test(issue.slice(0, colon))) return sentence(issue.charAt(0).toUpperCase() + issue.slice(1));
      const field = fieldName(issue.slice(0, colon));
      const what = issue.slice(colon + 2);
      return sentence(PREDICATE.test(what) ? `${field} ${what}` : `${field}: ${what}`);
    })
    .join(' ');
}
