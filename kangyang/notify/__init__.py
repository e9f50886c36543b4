"""Outbound messages (通知): one interface, `actions.notify(recipient, template=…, context=…,
kind=…)`, that takes plain values (a phone number, an e-mail address, a push subscription, a
template code and a dict of strings and numbers), never another app's objects; transports
(SMS through a provider, e-mail through Django, web push) behind it; a delivery log with
retries. It imports no domain app: the apps decide whom to tell (e.g. alarms/notifications.py)
and call it."""
