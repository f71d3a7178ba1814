import React from 'react';
import { screen, waitFor } from '@testing-library/react';
import {
  afterEach, beforeEach, describe, expect, it, vi,
} from 'vitest';
import { getAuthenticatedHttpClient } from '@edx/frontend-platform/auth';

import { AwardedCreditsCard, CourseCardCredits, HeaderBalance } from './index';
import { clearCache } from './api';
import {
  LMS, fakeGet, httpError, renderWithIntl,
} from './testUtils';

vi.mock('@edx/frontend-platform', () => ({ getConfig: () => ({ LMS_BASE_URL: 'https://lms.example.com' }) }));
vi.mock('@edx/frontend-platform/auth', () => ({ getAuthenticatedHttpClient: vi.fn() }));

const API = `${LMS}/api/credits_plugin/v1`;
const NURSE = 'course-v1:HealthU+Nurse101+2026';
const PY = 'course-v1:DemoX+Py101+2026';

const WALLET = {
  username: 'alice', unit: 'credits', balance: 18000, held: 1500, available: 16500, overdraft_limit: null, enabled: true,
};
const HOME = {
  courses: [
    { course: { courseName: 'Python for Everyone' }, courseRun: { courseId: PY }, enrollment: { isEnrolled: true, mode: 'verified' } },
    { course: { courseName: 'Nursing Foundations' }, courseRun: { courseId: NURSE }, enrollment: { isEnrolled: true, mode: 'audit' } },
    { course: { courseName: 'An entitlement' }, courseRun: null, enrollment: { isEnrolled: false } },
  ],
};
const PRICES = [{
  mode_slug: 'professional', mode_name: 'Professional', price: 19900, credits_only: false,
}];
const SUMMARY = {
  username: 'alice',
  by_type: [],
  by_credit: [],
  courses: [{
    course_id: PY,
    course_name: 'Python for Everyone',
    issued_at: '2026-11-01T10:00:00Z',
    credits: [{
      id: 7, course_id: PY, type_name: 'CPE', credit_name: 'Information Technology', amount: 150, unit_label: 'hours',
    }],
  }],
};

let get;
const serve = (routes) => {
  get = fakeGet(routes);
  getAuthenticatedHttpClient.mockReturnValue({ get });
};

beforeEach(() => clearCache());
afterEach(() => vi.clearAllMocks());

describe('HeaderBalance', () => {
  it('shows the available balance with two decimals and links to My credits', async () => {
    serve({ [`${API}/wallet/`]: WALLET });
    renderWithIntl(<HeaderBalance />);
    expect(screen.getByRole('status')).toHaveTextContent('Loading your credits balance');
    const link = await screen.findByRole('link', { name: 'My credits: 165.00 credits' });
    expect(link).toHaveAttribute('href', `${LMS}/credits/`);
    expect(link).toHaveClass('dropdown-item');
    expect(get).toHaveBeenCalledWith(`${API}/wallet/`);
  });

  it('never shows hundredths: 1 hundredth is 0.01, 1000000 is 10,000.00', async () => {
    serve({ [`${API}/wallet/`]: { ...WALLET, available: 1 } });
    const { unmount } = renderWithIntl(<HeaderBalance />);
    expect(await screen.findByRole('link')).toHaveTextContent('My credits: 0.01 credits');
    unmount();
    clearCache();
    serve({ [`${API}/wallet/`]: { ...WALLET, available: 1000000 } });
    renderWithIntl(<HeaderBalance />);
    expect(await screen.findByRole('link')).toHaveTextContent('My credits: 10,000.00 credits');
  });

  it('formats in the learner’s locale', async () => {
    serve({ [`${API}/wallet/`]: { ...WALLET, available: 123450 } });
    renderWithIntl(<HeaderBalance />, 'de');
    expect(await screen.findByRole('link')).toHaveTextContent('1.234,50');
  });

  it('goes through the MFE’s translations, with the plural form of the amount as shown', async () => {
    serve({ [`${API}/wallet/`]: { ...WALLET, available: 150 } });
    renderWithIntl(<HeaderBalance />, 'fr', {
      'credits.header.balance': 'Mes crédits : {credits}',
      'credits.amount': '{category, select, one {{amount} crédit} other {{amount} crédits}}',
    });
    expect(await screen.findByRole('link')).toHaveTextContent('Mes crédits : 1,50 crédit');
  });

  it('tells the learner when the balance could not be loaded', async () => {
    serve({ [`${API}/wallet/`]: httpError(500) });
    renderWithIntl(<HeaderBalance />);
    expect(await screen.findByRole('alert')).toHaveTextContent('Your credits balance could not be loaded.');
    expect(screen.queryByRole('link')).not.toBeInTheDocument();
  });

  it('renders nothing when wallet credits are switched off', async () => {
    serve({ [`${API}/wallet/`]: { ...WALLET, enabled: false } });
    const { container } = renderWithIntl(<HeaderBalance />);
    await waitFor(() => expect(container).toBeEmptyDOMElement());
    expect(get).toHaveBeenCalled();
  });

  it('renders nothing when the plugin is not installed (404)', async () => {
    serve({});
    const { container } = renderWithIntl(<HeaderBalance />);
    await waitFor(() => expect(container).toBeEmptyDOMElement());
    expect(get).toHaveBeenCalledWith(`${API}/wallet/`);
  });
});

describe('CourseCardCredits', () => {
  it('resolves the dashboard’s cardId and shows the price and a Buy with credits link', async () => {
    serve({ [`${LMS}/api/learner_home/init`]: HOME, [`${API}/courses/${NURSE}/prices/`]: PRICES });
    renderWithIntl(<CourseCardCredits cardId="card-1" />);
    expect(screen.getByRole('status')).toHaveTextContent('Loading the price in credits');
    const link = await screen.findByRole('link', { name: /^Buy with credits/ });
    expect(link).toHaveTextContent('Buy with credits');
    expect(link).toHaveAttribute('href', `${LMS}/credits/checkout/${NURSE}/?mode=professional`);
    expect(link).toHaveAccessibleName('Buy with credits: Professional, Nursing Foundations, 199.00 credits');
    expect(screen.getByText('Price: 199.00 credits')).toBeInTheDocument();
  });

  it('names each mode when a course has several prices, and leaves out the mode the learner has', async () => {
    serve({
      [`${API}/courses/${NURSE}/prices/`]: [
        ...PRICES,
        {
          mode_slug: 'verified', mode_name: 'Verified', price: 100, credits_only: true,
        },
        {
          mode_slug: 'audit', mode_name: 'Audit', price: 5, credits_only: false,
        },
      ],
      [`${LMS}/api/learner_home/init`]: HOME,
    });
    renderWithIntl(<CourseCardCredits cardId="card-1" />);
    expect(await screen.findByRole('link', { name: /^Buy Professional with credits/ }))
      .toHaveAttribute('href', `${LMS}/credits/checkout/${NURSE}/?mode=professional`);
    expect(screen.getByRole('link', { name: /^Buy Verified with credits/ }))
      .toHaveAttribute('href', `${LMS}/credits/checkout/${NURSE}/?mode=verified`);
    expect(screen.getByText('Price: 1.00 credits')).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: /Audit/ })).not.toBeInTheDocument();
  });

  it('takes a course key as it is', async () => {
    serve({ [`${API}/courses/${NURSE}/prices/`]: PRICES });
    renderWithIntl(<CourseCardCredits courseId={NURSE} />);
    expect(await screen.findByText('Price: 199.00 credits')).toBeInTheDocument();
    expect(get).not.toHaveBeenCalledWith(`${LMS}/api/learner_home/init`);
  });

  it('renders nothing when credits are off for the course (no prices)', async () => {
    serve({ [`${LMS}/api/learner_home/init`]: HOME, [`${API}/courses/${NURSE}/prices/`]: [] });
    const { container } = renderWithIntl(<CourseCardCredits cardId="card-1" />);
    await waitFor(() => expect(get).toHaveBeenCalledWith(`${API}/courses/${NURSE}/prices/`));
    await waitFor(() => expect(container).toBeEmptyDOMElement());
  });

  it('renders nothing when the learner already has the only mode for sale', async () => {
    serve({
      [`${LMS}/api/learner_home/init`]: HOME,
      [`${API}/courses/${PY}/prices/`]: [{
        mode_slug: 'verified', mode_name: 'Verified', price: 4900, credits_only: false,
      }],
    });
    const { container } = renderWithIntl(<CourseCardCredits cardId="card-0" />);
    await waitFor(() => expect(get).toHaveBeenCalledWith(`${API}/courses/${PY}/prices/`));
    await waitFor(() => expect(container).toBeEmptyDOMElement());
  });

  it('renders nothing for an unknown course or without the plugin (404), or a card without a run', async () => {
    serve({ [`${LMS}/api/learner_home/init`]: HOME });
    const { container } = renderWithIntl(<><CourseCardCredits cardId="card-1" /><CourseCardCredits cardId="card-2" /></>);
    await waitFor(() => expect(get).toHaveBeenCalledWith(`${API}/courses/${NURSE}/prices/`));
    await waitFor(() => expect(container).toBeEmptyDOMElement());
    expect(get).toHaveBeenCalledTimes(2); // the dashboard's data once for both cards, one price
  });

  it('tells the learner when the price could not be loaded', async () => {
    serve({ [`${LMS}/api/learner_home/init`]: HOME, [`${API}/courses/${NURSE}/prices/`]: httpError(503) });
    renderWithIntl(<CourseCardCredits cardId="card-1" />);
    expect(await screen.findByRole('alert')).toHaveTextContent('The price in credits could not be loaded.');
    expect(screen.queryByRole('link')).not.toBeInTheDocument();
  });
});

describe('AwardedCreditsCard', () => {
  it('shows the learner’s awarded credits for the card’s course', async () => {
    serve({ [`${LMS}/api/learner_home/init`]: HOME, [`${API}/awards/summary/`]: SUMMARY });
    renderWithIntl(<AwardedCreditsCard cardId="card-0" />);
    expect(screen.getByRole('status')).toHaveTextContent('Loading your awarded credits');
    const region = await screen.findByRole('region', { name: 'Credits awarded' });
    expect(region).toHaveTextContent('CPE, Information Technology: 1.50 hours');
    expect(screen.getByRole('link', { name: 'My awarded credits' })).toHaveAttribute('href', `${LMS}/credits/awards/`);
  });

  it('renders nothing for a course without awards', async () => {
    serve({ [`${LMS}/api/learner_home/init`]: HOME, [`${API}/awards/summary/`]: SUMMARY });
    const { container } = renderWithIntl(<AwardedCreditsCard cardId="card-1" />);
    await waitFor(() => expect(get).toHaveBeenCalledWith(`${API}/awards/summary/`));
    await waitFor(() => expect(container).toBeEmptyDOMElement());
  });

  it('renders nothing without the plugin (404)', async () => {
    serve({});
    const { container } = renderWithIntl(<AwardedCreditsCard courseId={PY} />);
    await waitFor(() => expect(get).toHaveBeenCalledWith(`${API}/awards/summary/`));
    await waitFor(() => expect(container).toBeEmptyDOMElement());
  });

  it('tells the learner when the awards could not be loaded', async () => {
    serve({ [`${API}/awards/summary/`]: httpError(500) });
    renderWithIntl(<AwardedCreditsCard courseId={PY} />);
    expect(await screen.findByRole('alert')).toHaveTextContent('Your awarded credits could not be loaded.');
  });
});
