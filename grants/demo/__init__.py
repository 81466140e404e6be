"""The demo data of `manage.py seed_demo` (see that command for what it makes and how it stays idempotent).

data.py holds the calls, organisations and people, plans.py the demo applications as steps in time, build.py
the Seeder that writes them through the services, and pdf.py the small PDF every demo attachment is."""
