import React, { useId } from 'react';
import PropTypes from 'prop-types';
import { useIntl } from '@edx/frontend-platform/i18n';

import { fetchAwardsSummary, urls } from './api';
import {
  ERROR, LOADING, NONE, READY, useCourseRun, useLoad,
} from './hooks';
import messages from './messages';
import { Failure, Loading } from './Status';
import { formatHundredths } from './format';

/**
 * The learner's awarded (continuing-education) credits for a course, on its learner-dashboard
 * card (``org.openedx.frontend.learner_dashboard.course_card_banner.v1``, which passes
 * ``cardId``). Read from ``awards/summary/`` (revoked awards are not in it). Renders nothing
 * when the learner has no award for the course or the plugin's API is not there.
 */
const AwardedCreditsCard = ({ cardId, courseId }) => {
  const intl = useIntl();
  const headingId = useId();
  const run = useCourseRun({ cardId, courseId });
  const runId = run.status === READY ? run.data.courseId : null;
  const awards = useLoad(
    () => (run.status === READY ? fetchAwardsSummary() : null),
    (summary) => {
      const course = (summary?.courses || []).find((c) => c.course_id === runId);
      return course?.credits?.length ? course : null;
    },
    [run.status, runId],
  );

  if (run.status === NONE || (run.status === READY && awards.status === NONE)) { return null; }
  if (run.status === LOADING || awards.status === LOADING) {
    return (
      <Loading className="credits-awarded small d-block" testId="credits-awarded">
        {intl.formatMessage(messages.loadingAwards)}
      </Loading>
    );
  }
  if (run.status === ERROR || awards.status === ERROR) {
    return (
      <Failure className="credits-awarded small d-block" testId="credits-awarded">
        {intl.formatMessage(messages.awardsError)}
      </Failure>
    );
  }
  return (
    <div className="credits-awarded alert alert-info mb-0" role="region" aria-labelledby={headingId} data-testid="credits-awarded">
      <p className="font-weight-bold mb-1" id={headingId}>{intl.formatMessage(messages.awardedHeading)}</p>
      <ul className="mb-1 pl-3">
        {awards.data.credits.map((award) => (
          <li key={award.id}>
            {intl.formatMessage(messages.awardedLine, {
              type: award.type_name,
              credit: award.credit_name,
              amount: intl.formatMessage(messages.awardedAmount, {
                amount: formatHundredths(award.amount, intl.locale),
                unit: award.unit_label,
              }),
            })}
          </li>
        ))}
      </ul>
      <a href={urls.myAwards()}>{intl.formatMessage(messages.awardedLink)}</a>
    </div>
  );
};

AwardedCreditsCard.propTypes = {
  /** What the learner dashboard's course card slots pass: ``card-<index>``. */
  cardId: PropTypes.string,
  /** A course run key, for hosts that know it (then ``cardId`` is not needed). */
  courseId: PropTypes.string,
};


export default AwardedCreditsCard;
