const DETAIL_CHARS = 300;

/**
 * What a vendor's error body may put into a run's error or a settings answer: text only (no markup, no control
 * characters), on one line, and short — the body of whatever server a base URL points at is not ours to echo.
 */
export function sanitizeDetail(detail: string): string {
  const text = detail
    .replace(/<[^>]*>/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > DETAIL_CHARS ? `${text.slice(0, DETAIL_CHARS)}…` : text;
}
