from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Router, Schema

from kangyang.accounts import actions
from kangyang.audit.context import client_ip

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str
    password: str
    otp: str = ""


class TokenOut(Schema):
    token: str
    expires_at: str


@router.post("/token", auth=None, response=TokenOut)
def token(request, payload: TokenIn):
    """Exchange a username and password (and a one-time code, if two-factor is on) for a token."""
    user = actions.sign_in(request, username=payload.username, password=payload.password, ip=client_ip.get())
    if actions.has_two_factor(user) and actions.verify_otp(user, payload.otp) is None:
        # The code goes on the inner error: Django drops `code=` given beside a dict.
        raise ValidationError(
            {"otp": ValidationError(_("Enter the code from your authenticator app."), code="otp_required")}
        )
    secret, tok = actions.issue_api_token(user)
    return {"token": secret, "expires_at": tok.expires_at.isoformat()}
