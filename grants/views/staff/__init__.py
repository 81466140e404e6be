"""Staff workspace: case officers, reviewers, decision-makers, programme admins. One module per area,
each with its own `urlpatterns`, mounted under /staff/ by grants/urls.py."""
