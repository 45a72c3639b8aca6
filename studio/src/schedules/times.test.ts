import { describe, expect, it } from 'vitest';
import { formatAt, timeZones } from './times';

describe('schedule times', () => {
  it('shows one instant in the schedule’s zone and in another, across the March change in Paris', () => {
    expect(formatAt('2027-03-27T08:00:00.000Z', 'Europe/Paris')).toBe('Sat 27 Mar 2027, 09:00');
    expect(formatAt('2027-03-28T07:00:00.000Z', 'Europe/Paris')).toBe('Sun 28 Mar 2027, 09:00');
    expect(formatAt('2027-03-28T07:00:00.000Z', 'America/New_York')).toBe('Sun 28 Mar 2027, 03:00');
  });

  it('offers UTC first, then the zone names', () => {
    const zones = timeZones();
    expect(zones[0]).toBe('UTC');
    expect(zones).toContain('Europe/Paris');
    expect(new Set(zones).size).toBe(zones.length);
  });
});
