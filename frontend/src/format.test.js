import { describe, expect, it } from 'vitest';

import { formatHundredths, pluralCategory } from './format';

describe('formatHundredths', () => {
  it('shows two decimals computed from the integer', () => {
    expect(formatHundredths(0)).toBe('0.00');
    expect(formatHundredths(5)).toBe('0.05');
    expect(formatHundredths(1250)).toBe('12.50');
    expect(formatHundredths(-305)).toBe('-3.05');
    expect(formatHundredths(100000000000000000)).toBe('1,000,000,000,000,000.00');
    expect(formatHundredths(123450, 'de')).toBe('1.234,50');
  });

  it('picks the plural form of the amount as shown', () => {
    expect(pluralCategory(100, 'en')).toBe('other'); // "1.00 credits"
    expect(pluralCategory(150, 'fr')).toBe('one'); // "1,50 crédit"
    expect(pluralCategory(250, 'fr')).toBe('other');
  });
});
