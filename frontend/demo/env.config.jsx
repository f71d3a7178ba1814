// What an operator adds to an MFE's env.config.jsx (see frontend/README.md), with the
// plugin framework's constant values (PLUGIN_OPERATIONS.Insert, DIRECT_PLUGIN) so that the demo
// need not bundle the framework itself.
import { AwardedCreditsCard, CourseCardCredits, HeaderBalance } from '../src/index';

export const PLUGIN_OPERATIONS = { Insert: 'insert' };
export const DIRECT_PLUGIN = 'direct_plugin';

const config = {
  pluginSlots: {
    'org.openedx.frontend.layout.header_desktop_user_menu.v1': {
      keepDefault: true,
      plugins: [{
        op: PLUGIN_OPERATIONS.Insert,
        widget: {
          id: 'credits_header_balance', type: DIRECT_PLUGIN, priority: 10, RenderWidget: HeaderBalance,
        },
      }],
    },
    'org.openedx.frontend.learner_dashboard.course_card_action.v1': {
      keepDefault: true,
      plugins: [{
        op: PLUGIN_OPERATIONS.Insert,
        widget: {
          id: 'credits_course_card', type: DIRECT_PLUGIN, priority: 60, RenderWidget: CourseCardCredits,
        },
      }],
    },
    'org.openedx.frontend.learner_dashboard.course_card_banner.v1': {
      keepDefault: true,
      plugins: [{
        op: PLUGIN_OPERATIONS.Insert,
        widget: {
          id: 'credits_awarded', type: DIRECT_PLUGIN, priority: 60, RenderWidget: AwardedCreditsCard,
        },
      }],
    },
  },
};

export default config;
