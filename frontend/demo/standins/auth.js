// Demo stand-in for @edx/frontend-platform/auth's getAuthenticatedHttpClient(): an axios-like
// client on fetch with the session cookie (and Django's CSRF header for writes), answering
// {data, status} and rejecting 4xx/5xx with error.response = {status, data} as axios does.
const csrfToken = () => document.cookie.split('; ')
  .find((cookie) => cookie.startsWith('csrftoken='))?.split('=')[1] || '';

const request = async (method, url, body) => {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') {
    headers['X-CSRFToken'] = csrfToken();
    headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(url, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    throw Object.assign(new Error(`Request failed with status code ${response.status}`), {
      response: { status: response.status, data },
    });
  }
  return { data, status: response.status };
};

const client = {
  get: (url) => request('GET', url),
  post: (url, body) => request('POST', url, body),
};

export const getAuthenticatedHttpClient = () => client;
