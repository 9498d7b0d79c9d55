"""Marketing's services (G1): campaigns, their members and figures; segments, saved customer filters.

Who sees what, decided once here for every page, API call and export:

- A campaign is a company marketing object, not an owned customer record:
  everyone holding the ``campaigns`` module sees every campaign of the
  company and its totals (members, customers and deals brought, won amount,
  ROI, cost per customer) counted over ALL of its records, so marketing reads
  its full return whoever owns the customers. The totals are numbers only.
- The records inside a campaign (its members, the customers and deals it
  brought) are listed through the one visibility rule: a rep sees the
  members and deals they could open anyway. A row they may not see is never
  named, so "members: 40" beside a list of 12 is expected for a rep.
- Changing a campaign (its fields and members) is for its owner, admins and
  holders of ``manage_settings``; a member's response status may also be set
  by anyone who sees that customer (the rep who called them back).
- Segments are private to their owner, or shared with the owner's team
  (everyone above and below them in the tree); admins see every shared one.
  A segment's count is always the viewer's own: the customers they see in
  it, so the count equals the list they open.

Files: ``campaigns.py`` (fields, rules, lists), ``figures.py`` (totals and
ROI), ``members.py`` (target lists, sync), ``segments.py`` (saved filters),
``audience.py`` (a segment's customers, count and export), ``dormant.py``
(the ready-made 沉睡客户 rule), ``choices.py`` (a campaign picker for other
features), ``codes.py`` (codes and labels).
"""
