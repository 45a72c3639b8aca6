/**
 * Masks secrets in text bound for a log: tokens and signatures in query strings, bearer/basic credentials,
 * `password`/`apiKey`/`token`-like fields in JSON or inspected objects, and anything shaped like a JWT or an API key.
 */
const SECRET_NAME = String.raw`[\w.-]*?(?:sig|token|key|pass(?:word|wd)?|secret|auth\w*|cookie|credential)[\w.-]*`;

const PATTERNS: [RegExp, string][] = [
  // ?access_token=…&sig=…  (query strings, form bodies, header-ish "name=value")
  [new RegExp(String.raw`([?&;\s]|^)(${SECRET_NAME})=([^&#\s"']*)`, 'gi'), '$1$2=[redacted]'],
  // "password": "…", apiKey: '…', authorization: "Bearer …"
  [new RegExp(String.raw`(["']?)(${SECRET_NAME})\1(\s*[:=]\s*)(["'])(?:\\.|(?!\4)[^\\])*\4`, 'gi'), '$1$2$1$3$4[redacted]$4'],
  [/\b(Bearer|Basic)\s+[\w.~+/=-]+/gi, '$1 [redacted]'],
  [/\beyJ[\w-]*\.[\w-]+\.[\w-]+/g, '[redacted jwt]'],
  // An API key (api/apiKeys.ts) wherever it appears: its first characters stay, as the key list shows them.
  [/\b(cf_[\w-]{8})[\w-]{16,}/g, '$1[redacted]'],
];

export function redactSecrets(text: string): string {
  return PATTERNS.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}
