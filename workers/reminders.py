"""Reminder job (E2): email one company's due tasks. Queued for each task's due time, and run by cron.

Takes the tenant schema only: the job reads what is due when it runs, so
a job queued for a task since done or moved simply finds less to send.
"""
from crm_saas.blueprints.activities.services.reminders import send_due_reminders_now
from workers.context import job_tenant


def send_due_reminders(schema):
    """Returns how many reminders went out (0 when the company has no SMTP server configured)."""
    with job_tenant(schema):
        return send_due_reminders_now()
