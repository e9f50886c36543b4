"""The institutions' pages, one module per topic; each lists its own `urlpatterns`, which
urls.py (staff pages) and urls_public.py (the public disclosure, no sign-in) gather."""
