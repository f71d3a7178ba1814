import { defineMessages } from '@edx/frontend-platform/i18n';

// ``{category}`` is the plural category of the amount as shown (two decimals, see format.js):
// translators add the categories their language has (zero, one, two, few, many, other).
const messages = defineMessages({
  credits: {
    id: 'credits.amount',
    defaultMessage: '{category, select, one {{amount} credit} other {{amount} credits}}',
    description: 'An amount of wallet credits, e.g. "12.50 credits"; amount has two decimals.',
  },
  headerBalance: {
    id: 'credits.header.balance',
    defaultMessage: 'My credits: {credits}',
    description: 'User-menu item with the wallet balance, linking to the My credits page.',
  },
  loadingBalance: {
    id: 'credits.header.loading',
    defaultMessage: 'Loading your credits balance…',
    description: 'Shown while the wallet balance is read.',
  },
  balanceError: {
    id: 'credits.header.error',
    defaultMessage: 'Your credits balance could not be loaded.',
    description: 'Shown when the wallet balance could not be read.',
  },
  loadingPrices: {
    id: 'credits.card.loading',
    defaultMessage: 'Loading the price in credits…',
    description: 'Shown on a course card while its prices in credits are read.',
  },
  pricesError: {
    id: 'credits.card.error',
    defaultMessage: 'The price in credits could not be loaded.',
    description: 'Shown on a course card when its prices in credits could not be read.',
  },
  buyWithCredits: {
    id: 'credits.card.buy',
    defaultMessage: 'Buy with credits',
    description: 'Link from a course card to the checkout with credits.',
  },
  buyModeWithCredits: {
    id: 'credits.card.buy.mode',
    defaultMessage: 'Buy {mode} with credits',
    description: 'Link from a course card to the checkout of one course mode, e.g. "Buy Verified with credits".',
  },
  buyLabel: {
    id: 'credits.card.buy.label',
    defaultMessage: '{text}: {mode}, {course}, {credits}',
    description: 'Accessible name of a Buy with credits link: its text, then the mode, the course and the price.',
  },
  price: {
    id: 'credits.card.price',
    defaultMessage: 'Price: {credits}',
    description: 'The price of a course mode in credits on a course card.',
  },
  awardedHeading: {
    id: 'credits.awards.heading',
    defaultMessage: 'Credits awarded',
    description: 'Heading of the awarded (continuing-education) credits on a course card.',
  },
  awardedAmount: {
    id: 'credits.awards.amount',
    defaultMessage: '{amount} {unit}',
    description: 'An awarded amount with its unit as the operator named it, e.g. "1.50 hours".',
  },
  awardedLine: {
    id: 'credits.awards.line',
    defaultMessage: '{type}, {credit}: {amount}',
    description: 'One awarded credit, e.g. "CPE, Information Technology: 1.50 hours".',
  },
  awardedLink: {
    id: 'credits.awards.link',
    defaultMessage: 'My awarded credits',
    description: 'Link to the learner page of awarded credits.',
  },
  loadingAwards: {
    id: 'credits.awards.loading',
    defaultMessage: 'Loading your awarded credits…',
    description: 'Shown on a course card while the awarded credits are read.',
  },
  awardsError: {
    id: 'credits.awards.error',
    defaultMessage: 'Your awarded credits could not be loaded.',
    description: 'Shown on a course card when the awarded credits could not be read.',
  },
});

export default messages;
