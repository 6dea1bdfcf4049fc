"""Who may see what: one access helper per area (STYLE.md point 4), outside the views.

The views call these helpers to answer 404 outside a visitor's scope, and the services and
selectors that must stay inside that same scope (bulk assignment, the staff queue, granting a
guest its requests) call them too, so they live here rather than in views/, which nothing
below the views imports.

- access/portal.py: a patient, representative or guest in the portal (by account or by the
  guest session);
- access/staff.py: HIM staff, by StaffMembership (entity and role).
"""
