"""Service jobs: reminding assignees of overdue service requests (F1), every open company in one run."""
