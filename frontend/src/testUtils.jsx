import React from 'react';
import { render } from '@testing-library/react';
import { IntlProvider } from '@edx/frontend-platform/i18n';
import { vi } from 'vitest';

export const LMS = 'https://lms.example.com';

/** A 4xx/5xx as axios (the MFE's client) rejects it. */
export const httpError = (status, data = {}) => Object.assign(new Error(`Request failed with status code ${status}`), {
  response: { status, data },
});

/**
 * The authenticated client's ``get``: ``routes`` maps a URL to its JSON, to an Error (rejected)
 * or to a function of nothing returning a promise. Unknown URLs answer 404, as the LMS does.
 */
export const fakeGet = (routes) => vi.fn((url) => {
  if (!(url in routes)) { return Promise.reject(httpError(404)); }
  const answer = routes[url];
  if (typeof answer === 'function') { return answer(); }
  if (answer instanceof Error) { return Promise.reject(answer); }
  return Promise.resolve({ data: answer });
});

// A locale without a translation falls back to the default message, as in an MFE; react-intl
// would log each such fallback.
const ignoreMissingTranslations = (error) => {
  if (error.code !== 'MISSING_TRANSLATION') { throw error; }
};

export const renderWithIntl = (ui, locale = 'en', messages = {}) => render(
  <IntlProvider locale={locale} messages={messages} onError={ignoreMissingTranslations}>{ui}</IntlProvider>,
);
