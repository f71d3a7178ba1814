import React from 'react';
import PropTypes from 'prop-types';

/** Loading (a polite live region with a spinner) or a failure (an alert), in the slot's style. */
export const Loading = ({ children, className, testId }) => (
  <span className={className} role="status" aria-live="polite" data-testid={testId}>
    <span className="spinner-border spinner-border-sm mr-2" aria-hidden="true" />
    {children}
  </span>
);

Loading.propTypes = {
  children: PropTypes.node.isRequired,
  className: PropTypes.string,
  testId: PropTypes.string,
};


export const Failure = ({ children, className, testId }) => (
  <span className={['text-danger', className].filter(Boolean).join(' ')} role="alert" data-testid={testId}>
    {children}
  </span>
);

Failure.propTypes = Loading.propTypes;
