/**
 * The plugin's REST API (credits_plugin/rest_api/v1) read with the MFE's authenticated client.
 *
 * Every request goes to the LMS (``getConfig().LMS_BASE_URL``) with the client the MFE has
 * configured (JWT cookie, CSRF token), as the MFEs' own API calls do.
 */
import { getConfig } from '@edx/frontend-platform';
import { getAuthenticatedHttpClient } from '@edx/frontend-platform/auth';

export const API_PATH = '/api/credits_plugin/v1';

const lmsUrl = (path) => `${getConfig().LMS_BASE_URL}${path}`;

/** A course key in a URL path: as it is, but with characters that would break the path escaped. */
const coursePath = (courseId) => encodeURIComponent(courseId).replace(/%3A/gi, ':').replace(/%2B/gi, '+');

export const urls = {
  wallet: () => lmsUrl(`${API_PATH}/wallet/`),
  coursePrices: (courseId) => lmsUrl(`${API_PATH}/courses/${coursePath(courseId)}/prices/`),
  awardsSummary: () => lmsUrl(`${API_PATH}/awards/summary/`),
  learnerHomeInit: () => lmsUrl('/api/learner_home/init'),
  myCredits: () => lmsUrl('/credits/'),
  myAwards: () => lmsUrl('/credits/awards/'),
  checkout: (courseId, mode) => {
    const base = lmsUrl(`/credits/checkout/${coursePath(courseId)}/`);
    return mode ? `${base}?mode=${encodeURIComponent(mode)}` : base;
  },
};

/** The HTTP status of a failed request (axios errors carry it in ``response.status``). */
export const errorStatus = (error) => error?.response?.status
  ?? error?.customAttributes?.httpErrorStatus
  ?? null;

// One request per address while a page lives: the header and every course card share it.
const cache = new Map();

const getJson = (url) => {
  if (!cache.has(url)) {
    const request = getAuthenticatedHttpClient().get(url).then(({ data }) => data);
    // A failed request is not kept: the next widget that mounts asks again.
    request.catch(() => cache.delete(url));
    cache.set(url, request);
  }
  return cache.get(url);
};

/** Forget the answers read so far (after a checkout, and between tests). */
export const clearCache = () => cache.clear();

/** ``{username, unit, balance, held, available, overdraft_limit, enabled}``; hundredths. */
export const fetchWallet = () => getJson(urls.wallet());

/** ``[{mode_slug, mode_name, price, credits_only}]``; empty when credits are off for the course. */
export const fetchCoursePrices = (courseId) => getJson(urls.coursePrices(courseId));

/** ``{username, by_type, by_credit, courses: [{course_id, course_name, issued_at, credits}]}``. */
export const fetchAwardsSummary = () => getJson(urls.awardsSummary());

/** The learner dashboard's own data: its course cards are ``card-<index>`` of ``courses``. */
export const fetchLearnerHome = () => getJson(urls.learnerHomeInit());
