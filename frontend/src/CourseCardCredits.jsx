import React from 'react';
import PropTypes from 'prop-types';
import { useIntl } from '@edx/frontend-platform/i18n';

import { fetchCoursePrices, urls } from './api';
import {
  ERROR, LOADING, NONE, READY, useCourseRun, useLoad,
} from './hooks';
import messages from './messages';
import { Failure, Loading } from './Status';
import useCredits from './useCredits';

/**
 * "Buy with credits" and the price in credits of a course's paid modes, on a learner-dashboard
 * course card (``org.openedx.frontend.learner_dashboard.course_card_action.v1``, which passes
 * ``cardId``). The mode the learner is already enrolled in is left out. Renders nothing when
 * credits are off for the course (no prices) or the course or the plugin's API is unknown (404).
 */
const CourseCardCredits = ({ cardId, courseId }) => {
  const intl = useIntl();
  const credits = useCredits();
  const run = useCourseRun({ cardId, courseId });
  const runId = run.status === READY ? run.data.courseId : null;
  const prices = useLoad(
    () => (run.status === READY ? fetchCoursePrices(runId) : null),
    (data) => {
      const forSale = (data || []).filter((price) => price.mode_slug !== run.data.mode);
      return forSale.length ? forSale : null;
    },
    [run.status, runId],
  );

  if (run.status === NONE || (run.status === READY && prices.status === NONE)) { return null; }
  if (run.status === LOADING || prices.status === LOADING) {
    return (
      <Loading className="credits-course-card small" testId="credits-course-card">
        {intl.formatMessage(messages.loadingPrices)}
      </Loading>
    );
  }
  if (run.status === ERROR || prices.status === ERROR) {
    return (
      <Failure className="credits-course-card small" testId="credits-course-card">
        {intl.formatMessage(messages.pricesError)}
      </Failure>
    );
  }
  const course = run.data.courseName || run.data.courseId;
  const single = prices.data.length === 1;
  return (
    <div className="credits-course-card d-inline-flex flex-wrap align-items-center" data-testid="credits-course-card">
      {prices.data.map((price) => {
        const amount = credits(price.price);
        const text = single
          ? intl.formatMessage(messages.buyWithCredits)
          : intl.formatMessage(messages.buyModeWithCredits, { mode: price.mode_name });
        return (
          <span className="d-inline-flex align-items-center mr-3" key={price.mode_slug}>
            <a
              className="btn btn-outline-primary mr-2"
              href={urls.checkout(run.data.courseId, price.mode_slug)}
              aria-label={intl.formatMessage(messages.buyLabel, {
                text, mode: price.mode_name, course, credits: amount,
              })}
            >
              {text}
            </a>
            <span className="credits-price">{intl.formatMessage(messages.price, { credits: amount })}</span>
          </span>
        );
      })}
    </div>
  );
};

CourseCardCredits.propTypes = {
  /** What the learner dashboard's course card slots pass: ``card-<index>``. */
  cardId: PropTypes.string,
  /** A course run key, for hosts that know it (then ``cardId`` is not needed). */
  courseId: PropTypes.string,
};


export default CourseCardCredits;
