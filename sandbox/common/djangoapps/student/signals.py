"""The platform's legacy Django signals about enrolment (``common/djangoapps/student/signals``)."""

from django.dispatch import Signal

# Arguments: course_enrollment, skip_refund.
UNENROLL_DONE = Signal()
# Arguments: event, user, course_id, mode, cost, currency.
ENROLL_STATUS_CHANGE = Signal()
