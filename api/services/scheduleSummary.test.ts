import { describe, expect, it } from 'vitest';
import { summarizeSchedule } from './scheduleSummary';

const cron = (expression: string, timezone = 'Europe/Paris') => summarizeSchedule({ cron: expression, timezone });

describe('schedule summaries in plain words', () => {
  it('names the weekday, the time and the zone', () => {
    expect(cron('0 9 * * 1')).toBe('Every Monday at 09:00, Europe/Paris');
    expect(cron('0 9 * * MON')).toBe('Every Monday at 09:00, Europe/Paris');
    expect(cron('30 17 * * 1-5', 'UTC')).toBe('Every Monday to Friday at 17:30, UTC');
    expect(cron('0 8 * * 5,1,3')).toBe('Every Monday, Wednesday and Friday at 08:00, Europe/Paris');
    expect(cron('0 10 * * 0,6')).toBe('Every Saturday and Sunday at 10:00, Europe/Paris');
    expect(cron('0 10 * * 7')).toBe('Every Sunday at 10:00, Europe/Paris');
  });

  it('describes daily, several times a day, hourly and minute steps', () => {
    expect(cron('0 0 * * *', 'UTC')).toBe('Every day at 00:00, UTC');
    expect(cron('@daily', 'UTC')).toBe('Every day at 00:00, UTC');
    expect(cron('0 9,17 * * *')).toBe('Every day at 09:00 and 17:00, Europe/Paris');
    expect(cron('*/15 * * * *')).toBe('Every 15 minutes, Europe/Paris');
    expect(cron('@hourly', 'UTC')).toBe('Every hour, on the hour, UTC');
    expect(cron('5 * * * *', 'UTC')).toBe('Every hour at minute 5, UTC');
    expect(cron('0 9-17 * * 1-5', 'UTC')).toBe('Every Monday to Friday, every hour from 09:00 to 17:00, UTC');
  });

  it('describes days of the month, months and years, and says both day fields must match', () => {
    expect(cron('0 6 1 * *', 'UTC')).toBe('On the 1st of every month at 06:00, UTC');
    expect(cron('@yearly', 'UTC')).toBe('On the 1st of January at 00:00, UTC');
    expect(cron('0 12 1,15 * *', 'UTC')).toBe('On the 1st and the 15th of every month at 12:00, UTC');
    expect(cron('0 9 13 * 5', 'UTC')).toBe('On the 13th of every month at 09:00, when it is a Friday, UTC');
    expect(cron('0 9 25-31 3 * 2027')).toBe('On days 25 to 31 of March at 09:00 in 2027, Europe/Paris');
    expect(cron('0 9 * 12 *', 'UTC')).toBe('Every day in December at 09:00, UTC');
    expect(cron('0 9 22 11 *', 'UTC')).toBe('On the 22nd of November at 09:00, UTC');
  });

  it('quotes an expression it has no words for, rather than guessing', () => {
    expect(cron('0 0 9 * * * 2027', 'UTC')).toBe('At the times of the cron expression “0 0 9 * * * 2027”, UTC');
    expect(cron('0 */2,5 * * *', 'UTC')).toBe('At the times of the cron expression “0 */2,5 * * *”, UTC');
    expect(cron('not a cron', 'UTC')).toBe('At the times of the cron expression “not a cron”, UTC');
  });

  it('describes intervals, which count from the epoch whatever the zone', () => {
    expect(summarizeSchedule({ every: '15m', timezone: 'Europe/Paris' })).toBe('Every 15 minutes');
    expect(summarizeSchedule({ every: '1h', timezone: 'UTC' })).toBe('Every hour');
    expect(summarizeSchedule({ every: '30s', timezone: 'UTC' })).toBe('Every 30 seconds');
    expect(summarizeSchedule({ every: '1d', timezone: 'Europe/Paris' })).toBe('Every day at 00:00 UTC');
    expect(summarizeSchedule({ every: '2d', timezone: 'UTC' })).toBe('Every 2 days at 00:00 UTC');
  });
});
