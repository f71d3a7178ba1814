import React from 'react';
import PropTypes from 'prop-types';
import { useIntl } from '@edx/frontend-platform/i18n';

import { fetchWallet, urls } from './api';
import {
  ERROR, LOADING, NONE, useLoad,
} from './hooks';
import messages from './messages';
import { Failure, Loading } from './Status';
import useCredits from './useCredits';

/**
 * The learner's wallet balance (available: posted less held), linking to My credits.
 *
 * For the header's user menu: ``org.openedx.frontend.layout.header_desktop_user_menu.v1`` (and
 * the learning and mobile user menus). Renders nothing when wallet credits are switched off or
 * the plugin's API is not there.
 */
const HeaderBalance = ({ className }) => {
  const intl = useIntl();
  const credits = useCredits();
  const wallet = useLoad(fetchWallet, (data) => (data?.enabled === false ? null : data), []);
  const itemClass = className || 'dropdown-item';

  if (wallet.status === NONE) { return null; }
  if (wallet.status === LOADING) {
    return (
      <Loading className={`${itemClass} credits-header-balance`} testId="credits-header-balance">
        {intl.formatMessage(messages.loadingBalance)}
      </Loading>
    );
  }
  if (wallet.status === ERROR) {
    return (
      <Failure className={`${itemClass} credits-header-balance`} testId="credits-header-balance">
        {intl.formatMessage(messages.balanceError)}
      </Failure>
    );
  }
  return (
    <a className={`${itemClass} credits-header-balance`} href={urls.myCredits()} data-testid="credits-header-balance">
      {intl.formatMessage(messages.headerBalance, { credits: credits(wallet.data.available) })}
    </a>
  );
};

HeaderBalance.propTypes = {
  /** The link's classes; the user menus' items are ``dropdown-item``. */
  className: PropTypes.string,
};


export default HeaderBalance;
