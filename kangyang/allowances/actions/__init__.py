"""Every change to allowances, by topic; everything is importable from here
(`actions.approve_payment_roll`). Views, API, tasks, the demo and the benchmark call these."""

from kangyang.allowances.actions.rolls import *  # noqa: F401,F403
from kangyang.allowances.actions.rolls import _balance, _mask_account, _overlap  # noqa: F401
from kangyang.allowances.actions.payouts import *  # noqa: F401,F403
from kangyang.allowances.actions.applications import *  # noqa: F401,F403
