"""Figures of the delivery log. Each is a default; the settings name the ones that change."""

import datetime as dt

# Backoff between attempts: the first retry after NOTIFY_RETRY_AFTER (a setting), each next one
# BACKOFF_FACTOR times later (30 s, 2 min, 8 min, 32 min with the defaults), never more than
# BACKOFF_CAP apart, so that a provider's outage of an hour is ridden out and a dead number
# stops costing money after NOTIFY_MAX_ATTEMPTS.
BACKOFF_FACTOR = 4
BACKOFF_CAP = dt.timedelta(hours=1)

# Seconds a transport waits for the provider or push service before the attempt counts as failed.
TRANSPORT_TIMEOUT = 10

# The longest stored error text (provider messages can be long HTML pages).
ERROR_KEEP = 500
