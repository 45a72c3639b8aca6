/**
 * Splits narration text into chunks for speech synthesis: at sentence boundaries (., !, ?, …,
 * newlines), never inside a word, merging short sentences up to maxChars. Only a single sentence
 * longer than maxChars is split further, preferring a comma/semicolon/colon/dash, then a space.
 */

const ABBREVIATIONS = new Set([
  'mr',
  'mrs',
  'ms',
  'dr',
  'prof',
  'sr',
  'jr',
  'st',
  'vs',
  'etc',
  'e.g',
  'i.e',
  'fig',
  'mt',
  'approx',
  'inc',
  'ltd',
  'co',
]);

/** Sentence-level split (no length limits). Exported for tests and for the speech provider. */
export function sentencesOf(text: string): string[] {
  const out: string[] = [];
  for (const line of text.replace(/\r\n?/g, '\n').split(/\n+/)) {
    // A terminator run (. ! ? … and combinations), optional closing quotes/brackets, then whitespace or end.
    const re = /[.!?…]+["'”’)\]»]*(?=\s|$)/g;
    let start = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(line))) {
      const end = m.index + m[0].length;
      if (m[0] === '.') {
        // "Dr. Smith", "e.g. this", "J. R. R. Tolkien": not the end of a sentence.
        const word = /(\S+)$/.exec(line.slice(start, m.index))?.[1]?.toLowerCase() ?? '';
        const bare = word.replace(/^[("'“‘]+/, '');
        if (ABBREVIATIONS.has(bare) || /^[a-z]$/i.test(bare)) continue;
        if ((bare === 'no' || bare === 'vol' || bare === 'p') && /^\s*\d/.test(line.slice(end))) continue; // "No. 5"
      }
      const s = line.slice(start, end).trim();
      if (s) out.push(s);
      start = end;
    }
    const rest = line.slice(start).trim();
    if (rest) out.push(rest);
  }
  return out;
}

/** Splits one over-long sentence at the last comma-like break, else the last space, within maxChars. */
function hardSplit(sentence: string, maxChars: number): string[] {
  const out: string[] = [];
  let rest = sentence;
  while (rest.length > maxChars) {
    const window = rest.slice(0, maxChars + 1); // a break right after maxChars chars still fits
    let cut = -1;
    const punct = /[,;:—–]\s/g;
    let m: RegExpExecArray | null;
    while ((m = punct.exec(window))) if (m.index + 1 <= maxChars) cut = m.index + 1;
    // Too early a comma makes a tiny chunk; prefer a later space then.
    if (cut < maxChars * 0.3) {
      const space = window.lastIndexOf(' ');
      if (space > cut) cut = space;
    }
    if (cut <= 0) {
      // A single word longer than maxChars: keep it whole rather than cut inside it.
      const next = rest.search(/\s/);
      cut = next < 0 ? rest.length : next;
    }
    const head = rest.slice(0, cut).trim();
    if (head) out.push(head);
    rest = rest.slice(cut).trim();
  }
  if (rest) out.push(rest);
  return out;
}

export function splitSentences(text: string, maxChars: number): string[] {
  if (!(maxChars >= 1)) throw new Error(`splitSentences: maxChars must be >= 1 (got ${maxChars})`);
  const chunks: string[] = [];
  let current = '';
  const flush = () => {
    if (current) chunks.push(current);
    current = '';
  };
  for (const s of sentencesOf(text)) {
    const sentence = s.replace(/\s+/g, ' ');
    if (sentence.length > maxChars) {
      // Pieces of a hard-split sentence stand alone rather than merging with neighbours.
      flush();
      chunks.push(...hardSplit(sentence, maxChars));
    } else if (!current) current = sentence;
    else if (current.length + 1 + sentence.length <= maxChars) current += ` ${sentence}`;
    else {
      flush();
      current = sentence;
    }
  }
  if (current) chunks.push(current);
  return chunks;
}
