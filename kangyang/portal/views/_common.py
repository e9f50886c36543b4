"""What every app view shares."""

from django.contrib.auth.decorators import login_required

# The app's pages send a signed-out visitor to the app's own sign-in (an SMS code, a password
# or the elder's card), not the staff sign-in; the staff pages of this app (printing a card,
# recording consent on the elder's registry page) keep settings.LOGIN_URL.
APP_LOGIN = "portal:login"
app_login_required = login_required(login_url=APP_LOGIN)
