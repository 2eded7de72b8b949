"""Reference data seeded by migrations (administrators edit it afterwards in the admin)."""
