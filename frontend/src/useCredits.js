import { useIntl } from '@edx/frontend-platform/i18n';

import { formatHundredths, pluralCategory } from './format';
import messages from './messages';

/** ``credits(1250)`` -> ``"12.50 credits"`` in the learner's locale, with its plural form. */
const useCredits = () => {
  const intl = useIntl();
  return (amount) => intl.formatMessage(messages.credits, {
    amount: formatHundredths(amount, intl.locale),
    category: pluralCategory(amount, intl.locale),
  });
};

export default useCredits;
