"""What the audit can group by: time buckets and dimensions.

With their SQL; light, for the command line's help.
"""

BUCKETS = ("day", "week", "month")
DIMENSIONS = {
    "category": "category::VARCHAR",
    "operation": "operation",
    "status": "status::VARCHAR",
    "triggered_by": "coalesce(triggered_by, '(none)')",
    "entity_type": "coalesce(entity_type::VARCHAR, '(none)')",
    "user": "coalesce(u.name, l.user_id, '(no user)')",
    "source": "coalesce(source, '(none)')",
}
