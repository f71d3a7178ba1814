// Demo stand-in for @edx/frontend-platform's getConfig(): the host page names the LMS.
const root = () => document.getElementById('root');

export const getConfig = () => ({
  LMS_BASE_URL: root()?.dataset.lmsBaseUrl || window.location.origin,
});
