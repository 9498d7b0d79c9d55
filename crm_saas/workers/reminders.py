"""Mail jobs (E2): one company's due reminders (queued for each task's due time, and run by cron), and the
SMTP settings' test email (queued by the settings page, so no request waits on a mail server).

Takes the tenant schema only: the job reads what is due when it runs, so
a job queued for a task since done or moved simply finds less to send.
"""
from crm_saas.blueprints.activities.services import reminders
from crm_saas.core.jobs import CompanyClosedError
from crm_saas.workers.context import job_tenant


def send_due_reminders(schema):
    """Returns how many reminders went out (0 when the company has no SMTP server configured, or cannot work:
    an expired company's reminders wait, unsent, until it is extended)."""
    try:
        with job_tenant(schema):
            return reminders.send_due_reminders_now()
    except CompanyClosedError:
        return 0


def send_test_email(schema, to):
    """One of ``reminders.TEST_RESULTS``: what the settings page tells the admin."""
    with job_tenant(schema):
        return reminders.send_test_email(to)
