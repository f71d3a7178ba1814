/**
 * Amounts are integers of hundredths. They are shown with two decimals in the learner's
 * locale, computed from the integer (never through a float), and never as hundredths.
 */

const decimalSeparator = (locale) => {
  const part = new Intl.NumberFormat(locale).formatToParts(1.5).find(({ type }) => type === 'decimal');
  return part ? part.value : '.';
};

/** ``1250`` -> ``"12.50"`` (``"1,234.50"``, ``"1.234,50"`` in German, ``"-3.05"``). */
export const formatHundredths = (amount, locale = 'en') => {
  const hundredths = BigInt(amount);
  const negative = hundredths < 0n;
  const absolute = negative ? -hundredths : hundredths;
  const whole = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(absolute / 100n);
  const fraction = String(absolute % 100n).padStart(2, '0');
  const sign = negative ? new Intl.NumberFormat(locale).formatToParts(-1).find(({ type }) => type === 'minusSign')?.value ?? '-' : '';
  return `${sign}${whole}${decimalSeparator(locale)}${fraction}`;
};

/**
 * The plural category of an amount as shown, with its two visible decimals: in English
 * "1.00 credits" (CLDR: visible decimals make it "other"), in French "1,50 crédit".
 */
export const pluralCategory = (amount, locale = 'en') => new Intl.PluralRules(locale, {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
}).select(Number(amount) / 100);
