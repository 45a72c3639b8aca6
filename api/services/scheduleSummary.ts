/**
 * A schedule's spec in plain words ("Every Monday at 09:00, Europe/Paris"). Pure. It reads the cron forms people
 * write (numbers, names, lists, ranges, steps, @daily…) and falls back to quoting the expression for the rest;
 * whether an expression is valid is Temporal's to say, not this.
 */

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const UNITS: Record<string, [string, string]> = {
  s: ['second', 'seconds'],
  m: ['minute', 'minutes'],
  h: ['hour', 'hours'],
  d: ['day', 'days'],
};

const SHORTHANDS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

export function summarizeSchedule(spec: { cron?: string; every?: string; timezone: string }): string {
  if (spec.every !== undefined) return summarizeEvery(spec.every);
  const cron = spec.cron ?? '';
  const words = summarizeCron(cron);
  return `${words ?? `At the times of the cron expression “${cron.trim()}”`}, ${spec.timezone}`;
}

/** Intervals count from the Unix epoch, whatever the schedule's zone: a daily one fires at 00:00 UTC. */
function summarizeEvery(every: string): string {
  const match = /^(\d+)([smhd])$/.exec(every);
  if (!match) return `Every ${every}`;
  const n = Number(match[1]);
  const [one, many] = UNITS[match[2]];
  const base = n === 1 ? `Every ${one}` : `Every ${n} ${many}`;
  return match[2] === 'd' ? `${base} at 00:00 UTC` : base;
}

/** Plain words for a cron expression without its zone, or undefined when it uses a form not described here. */
export function summarizeCron(expression: string): string | undefined {
  const text = expression.replace(/#.*$/, '').trim();
  const fields = (SHORTHANDS[text.toLowerCase()] ?? text).split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) return undefined;
  const [minute, hour, dom, month, dow, year] = fields;
  const minutes = parseField(minute, 0, 59);
  const hours = parseField(hour, 0, 23);
  const days = parseField(dom, 1, 31);
  const months = parseField(month, 1, 12, MONTHS);
  const weekdays = parseField(dow, 0, 7, DAYS);
  const years = year === undefined ? ({ kind: 'any' } as const) : parseField(year, 1970, 2999);
  if (!minutes || !hours || !days || !months || !weekdays || !years) return undefined;

  const time = timePhrase(minutes, hours);
  const day = dayPhrase(days, months, weekdays);
  if (!time || !day) return undefined;
  const yearText = years.kind === 'any' ? '' : years.kind === 'list' ? ` in ${listOf(years.values.map(String))}` : undefined;
  if (yearText === undefined) return undefined;
  const repeating = time.startsWith('every');
  const when = day.lead === 'Every day' && repeating ? time[0].toUpperCase() + time.slice(1) : `${day.lead}${repeating ? ',' : ''} ${time}`;
  return `${when}${yearText}${day.condition ?? ''}`;
}

type Field =
  { kind: 'any' } | { kind: 'list'; values: number[] } | { kind: 'range'; from: number; to: number } | { kind: 'step'; step: number };

function parseField(text: string, min: number, max: number, names?: string[]): Field | undefined {
  if (text === '*' || text === '?') return { kind: 'any' };
  const value = (token: string): number | undefined => {
    const byName = names?.findIndex((n) => n.slice(0, 3).toLowerCase() === token.toLowerCase());
    if (byName !== undefined && byName >= 0) return names === MONTHS ? byName + 1 : byName;
    if (!/^\d+$/.test(token)) return undefined;
    const n = Number(token);
    return n >= min && n <= max ? n : undefined;
  };
  const step = /^\*\/(\d+)$/.exec(text);
  if (step) return Number(step[1]) > 0 ? { kind: 'step', step: Number(step[1]) } : undefined;
  const range = /^(\w+)-(\w+)$/.exec(text);
  if (range) {
    const [from, to] = [value(range[1]), value(range[2])];
    return from !== undefined && to !== undefined && from < to ? { kind: 'range', from, to } : undefined;
  }
  const values = text.split(',').map(value);
  if (values.some((v) => v === undefined)) return undefined;
  return { kind: 'list', values: [...new Set(values as number[])].sort((a, b) => a - b) };
}

const pad = (n: number) => String(n).padStart(2, '0');

function timePhrase(minutes: Field, hours: Field): string | undefined {
  if (minutes.kind === 'list' && hours.kind === 'list') {
    const times = hours.values.flatMap((h) => minutes.values.map((m) => `${pad(h)}:${pad(m)}`));
    return times.length <= 6 ? `at ${listOf(times)}` : undefined;
  }
  if (hours.kind === 'any') {
    if (minutes.kind === 'any') return 'every minute';
    if (minutes.kind === 'step') return `every ${minutes.step} minutes`;
    if (minutes.kind === 'list' && minutes.values.length === 1)
      return minutes.values[0] === 0 ? 'every hour, on the hour' : `every hour at minute ${minutes.values[0]}`;
    if (minutes.kind === 'list') return `every hour at minutes ${listOf(minutes.values.map(String))}`;
  }
  if (hours.kind === 'step' && minutes.kind === 'list' && minutes.values.length === 1) {
    return `every ${hours.step} hours at minute ${minutes.values[0]} (from 00:${pad(minutes.values[0])})`;
  }
  if (hours.kind === 'range' && minutes.kind === 'list' && minutes.values.length === 1) {
    return `every hour from ${pad(hours.from)}:${pad(minutes.values[0])} to ${pad(hours.to)}:${pad(minutes.values[0])}`;
  }
  return undefined;
}

function dayPhrase(days: Field, months: Field, weekdays: Field): { lead: string; condition?: string } | undefined {
  const monthText = months.kind === 'any' ? undefined : fieldText(months, (m) => MONTHS[m - 1]);
  if (months.kind !== 'any' && !monthText) return undefined;
  const weekdayText = weekdays.kind === 'any' ? undefined : fieldText(weekdays, (d) => DAYS[d % 7], true);
  if (weekdays.kind !== 'any' && !weekdayText) return undefined;
  const dayText =
    days.kind === 'any'
      ? undefined
      : days.kind === 'range'
        ? `days ${days.from} to ${days.to}`
        : fieldText(days, (d) => `the ${ordinal(d)}`);
  if (days.kind !== 'any' && !dayText) return undefined;

  if (dayText) {
    const where = monthText ? `of ${monthText}` : 'of every month';
    // Temporal matches both fields (not cron's either-or): the 13th only when it is a Friday.
    return { lead: `On ${dayText} ${where}`, condition: weekdayText ? `, when it is a ${weekdayText}` : undefined };
  }
  const inMonths = monthText ? ` in ${monthText}` : '';
  return { lead: weekdayText ? `Every ${weekdayText}${inMonths}` : `Every day${inMonths}` };
}

function fieldText(field: Field, name: (n: number) => string, weekdays = false): string | undefined {
  if (field.kind === 'list') {
    const values = weekdays ? [...new Set(field.values.map((v) => v % 7))].sort((a, b) => ((a + 6) % 7) - ((b + 6) % 7)) : field.values;
    return listOf(values.map(name));
  }
  if (field.kind === 'range') return `${name(field.from)} to ${name(field.to)}`;
  return undefined;
}

function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : (({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th');
  return `${n}${suffix}`;
}

function listOf(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
