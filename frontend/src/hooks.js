import { useEffect, useState } from 'react';

import { errorStatus, fetchLearnerHome } from './api';

export const LOADING = 'loading';
export const READY = 'ready';
export const ERROR = 'error';
/** Nothing to show: credits are off, the plugin is not installed (404), or there is no data. */
export const NONE = 'none';

// A refusal that means "this widget has nothing to show here", not a fault to tell the learner:
// 404 (the plugin's API is not installed, an unknown course) and 403 credits_disabled.
const isAbsent = (error) => {
  const status = errorStatus(error);
  if (status === 404) { return true; }
  return status === 403 && error?.response?.data?.error_code === 'credits_disabled';
};

/**
 * Runs ``load()`` (a promise, or null for "nothing to load") again whenever ``deps`` change and
 * returns ``{status, data}``; ``select(data)`` returning null or undefined means NONE.
 */
export const useLoad = (load, select, deps) => {
  const [state, setState] = useState({ status: LOADING, data: null });
  useEffect(() => {
    let current = true;
    const request = load();
    if (request === null) {
      setState({ status: NONE, data: null });
      return undefined;
    }
    setState({ status: LOADING, data: null });
    request.then(
      (data) => {
        if (!current) { return; }
        const selected = select(data);
        setState(selected === null || selected === undefined
          ? { status: NONE, data: null }
          : { status: READY, data: selected });
      },
      (error) => {
        if (!current) { return; }
        setState({ status: isAbsent(error) ? NONE : ERROR, data: null, error });
      },
    );
    return () => { current = false; };
  }, deps); // eslint-disable-line react-hooks/exhaustive-deps
  return state;
};

const CARD_ID = /^card-(\d+)$/;

/**
 * The course run of a learner-dashboard course card.
 *
 * The dashboard's slots pass ``cardId``, its own index of the card (``card-0``, ``card-1``: the
 * position in the ``courses`` of ``/api/learner_home/init``), not the course key. It is resolved
 * here from the same endpoint the dashboard reads. A ``courseId`` prop (or a ``cardId`` that is
 * already a course key) is used as it is.
 *
 * Returns ``{status, data: {courseId, courseName, mode}}``.
 */
export const useCourseRun = ({ cardId, courseId }) => useLoad(
  () => {
    if (courseId) { return Promise.resolve({ courseId }); }
    if (!cardId) { return null; }
    const match = CARD_ID.exec(cardId);
    if (!match) { return Promise.resolve({ courseId: cardId }); }
    return fetchLearnerHome().then((home) => {
      const card = (home?.courses || [])[Number(match[1])];
      const run = card?.courseRun;
      if (!run?.courseId) { return null; }
      return {
        courseId: run.courseId,
        courseName: card.course?.courseName,
        mode: card.enrollment?.isEnrolled === false ? null : card.enrollment?.mode,
      };
    });
  },
  (data) => data,
  [cardId, courseId],
);
