export { default as HeaderBalance } from './HeaderBalance';
export { default as CourseCardCredits } from './CourseCardCredits';
export { default as AwardedCreditsCard } from './AwardedCreditsCard';
export { default as messages } from './messages';
export { clearCache } from './api';
export { formatHundredths } from './format';

/** The plugin slots the widgets are made for (frontend-component-header, frontend-app-learner-dashboard). */
export const SLOT_IDS = Object.freeze({
  headerDesktopUserMenu: 'org.openedx.frontend.layout.header_desktop_user_menu.v1',
  headerLearningUserMenu: 'org.openedx.frontend.layout.header_learning_user_menu.v1',
  headerMobileUserMenu: 'org.openedx.frontend.layout.header_mobile_user_menu.v1',
  courseCardAction: 'org.openedx.frontend.learner_dashboard.course_card_action.v1',
  courseCardBanner: 'org.openedx.frontend.learner_dashboard.course_card_banner.v1',
});
