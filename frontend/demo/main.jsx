// Dev-only demo entry: a minimal MFE host. It renders the header's user menu and the learner
// dashboard's course cards, with PluginSlot stand-ins that do what the plugin framework does for
// a DIRECT_PLUGIN Insert: render RenderWidget with the slot's pluginProps, by priority, around
// the slot's default content.
import React, { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { IntlProvider } from '@edx/frontend-platform/i18n';
import { getAuthenticatedHttpClient } from '@edx/frontend-platform/auth';
import { getConfig } from '@edx/frontend-platform';

import config, { DIRECT_PLUGIN, PLUGIN_OPERATIONS } from './env.config';

const PluginSlot = ({ id, pluginProps = {}, children = null }) => {
  const slot = config.pluginSlots[id] || { keepDefault: true, plugins: [] };
  const widgets = slot.plugins
    .filter(({ op, widget }) => op === PLUGIN_OPERATIONS.Insert && widget.type === DIRECT_PLUGIN)
    .map(({ widget }) => widget);
  if (slot.keepDefault && children) {
    widgets.push({ id: 'default_contents', priority: 50, content: children });
  }
  widgets.sort((a, b) => a.priority - b.priority);
  return (
    <div data-plugin-slot={id}>
      {widgets.map(({ id: widgetId, RenderWidget, content }) => (
        <React.Fragment key={widgetId}>{RenderWidget ? <RenderWidget id={widgetId} {...pluginProps} /> : content}</React.Fragment>
      ))}
    </div>
  );
};

const UserMenu = () => (
  <nav className="mfe-user-menu" aria-label="Account menu">
    <PluginSlot id="org.openedx.frontend.layout.header_desktop_user_menu.v1">
      <a className="dropdown-item" href={`${getConfig().LMS_BASE_URL}/dashboard/`}>Dashboard</a>
    </PluginSlot>
  </nav>
);

const CourseCard = ({ cardId, course }) => (
  <article className="mfe-course-card" aria-labelledby={`${cardId}-title`} data-testid={`course-card-${course.courseRun.courseId}`}>
    <h3 id={`${cardId}-title`}>{course.course.courseName}</h3>
    <div className="mfe-course-card__actions">
      <PluginSlot id="org.openedx.frontend.learner_dashboard.course_card_action.v1" pluginProps={{ cardId }} />
    </div>
    <PluginSlot id="org.openedx.frontend.learner_dashboard.course_card_banner.v1" pluginProps={{ cardId }} />
  </article>
);

const Dashboard = () => {
  const [courses, setCourses] = useState(null);
  useEffect(() => {
    getAuthenticatedHttpClient().get(`${getConfig().LMS_BASE_URL}/api/learner_home/init`)
      .then(({ data }) => setCourses(data.courses), () => setCourses([]));
  }, []);
  if (courses === null) { return <p role="status">Loading the dashboard…</p>; }
  return (
    <section aria-labelledby="mfe-courses">
      <h2 id="mfe-courses">My courses</h2>
      {courses.map((course, index) => (
        <CourseCard key={`card-${index}`} cardId={`card-${index}`} course={course} />
      ))}
    </section>
  );
};

const App = () => (
  <IntlProvider locale={document.documentElement.lang || 'en'} messages={{}}>
    <section className="mfe-header" aria-labelledby="mfe-header">
      <h2 id="mfe-header">Header: the user menu</h2>
      <UserMenu />
    </section>
    <Dashboard />
  </IntlProvider>
);

createRoot(document.getElementById('root')).render(<App />);
