"""The console's services: the company list, agencies' applications, staff and contact logs, reports."""
