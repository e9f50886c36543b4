from kangyang.services.tests.conftest import (  # noqa: F401  (fixtures)
    approve_all, assess, born, carer, catalogue, funded_elder, generate, home_provider, last_month, service,
    this_month, tomorrow, voucher,
)
