/** A node param's label, as its settings form and the run view's read-only settings show it. */
const LABELS: Record<string, string> = { ms: 'Milliseconds', maxTokens: 'Max tokens', maxItems: 'Max items' };

export function paramLabel(key: string): string {
  if (LABELS[key]) return LABELS[key];
  return key
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[_-]/g, ' ')
    .replace(/^./, (c) => c.toUpperCase());
}
