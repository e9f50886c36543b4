"""Importing staff accounts from a sheet (.xlsx, or .csv), and the sheet's template.

Policy: the good rows are kept. Every row is its own account, made by
actions.create_account with the same rules as the form and the API; a row that fails is
reported with its sheet row number and the reason, and the other rows are created. Uploading
the same sheet twice makes nobody twice: the second time, every row reports its username as
taken.

No password is read from a sheet (a sheet of passwords travels by e-mail and USB sticks):
every imported account gets a temporary password, shown once on the result page, to be
changed at the first sign-in.

The column headers and the role words are a file format shared between offices, the same in
every interface language (as in the registry's import); what the program says is translated.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from kangyang.accounts import actions, queries, scope
from kangyang.accounts.models import Organisation, User
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.lib.sheets import new_sheet, read_rows

R = User.Role
HEADERS = ["用户名", "姓名", "角色", "区划代码", "机构"]
COLUMNS = {
    "用户名": "username", "账号": "username", "username": "username",
    "姓名": "full_name", "full_name": "full_name", "name": "full_name",
    "角色": "role", "role": "role",
    "区划代码": "region", "区域": "region", "所属区域": "region", "region": "region",
    "机构": "organisation", "机构名称": "organisation", "统一社会信用代码": "organisation",
    "organisation": "organisation",
}
# The words of the 角色 column (and the role codes themselves).
ROLE_WORDS = {
    "民政局管理员": R.BUREAU_ADMIN,
    "街道工作人员": R.SUBDISTRICT_OFFICER,
    "社区工作者": R.COMMUNITY_WORKER,
    "热线接线员": R.HOTLINE_OPERATOR,
    "监督检查员": R.INSPECTOR,
    "家庭医生": R.DOCTOR,
    "志愿者": R.VOLUNTEER,
    "服务商管理员": R.PROVIDER_MANAGER,
    "护理员": R.CAREGIVER,
}
ROLE_LOOKUP = {**ROLE_WORDS, **{str(r): r for r in scope.MANAGED_ROLES}}
EXAMPLES = [
    ["zhang_min", "张敏", "社区工作者", "360103001001", ""],
    ["li_hong", "李红", "护理员", "", "91360103MA92Y5T76T"],
]


@dataclass
class ImportResult:
    created: list[tuple[User, str]] = field(default_factory=list)  # (account, temporary password)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (sheet row number, reason)


def _messages(e: ValidationError) -> str:
    if hasattr(e, "error_dict"):
        return "; ".join(m for errors in e.error_dict.values() for error in errors for m in error.messages)
    return "; ".join(e.messages)


def _organisation(text: str, by: User) -> Organisation | None:
    """By id, unified social credit code or exact name, among the organisations `by` may use;
    a provider manager's own when the cell is empty."""
    choices = queries.assignable_organisations(by)
    if not text:
        return choices.first() if by.role == R.PROVIDER_MANAGER else None
    if text.isdigit():
        found = list(choices.filter(pk=int(text))[:2])
    else:
        found = list(choices.filter(credit_code=text.upper())[:2]) or list(choices.filter(name=text)[:2])
    if len(found) != 1:
        raise ValidationError(_("No organisation of yours is “%(text)s”.") % {"text": text})
    return found[0]


def import_accounts(data: bytes, filename: str, *, by: User) -> ImportResult:
    """Create an account for every good row; report the others by row number."""
    result = ImportResult()
    for number, row in read_rows(data, filename, aliases=COLUMNS, required={"username", "role"}):
        try:
            word = row.get("role", "").strip()
            role = ROLE_LOOKUP.get(word) or ROLE_LOOKUP.get(word.lower())
            if role is None:
                raise ValidationError(_("Unknown role “%(role)s”.") % {"role": row.get("role", "")})
            region = None
            if row.get("region"):
                region = queries.region_by_code(row["region"])
                if region is None:
                    raise ValidationError(_("No region has the code %(code)s.") % {"code": row["region"]})
            organisation = _organisation(row.get("organisation", ""), by)
            account, temporary = actions.create_account(
                by=by, username=row.get("username", ""), role=role, full_name=row.get("full_name", ""),
                region=region, organisation=organisation,
            )
        except ValidationError as e:
            result.errors.append((number, _messages(e)))
        except PermissionDenied as e:
            result.errors.append((number, str(e) or _("You may not do this.")))
        else:
            result.created.append((account, temporary))
    record(by, AuditEntry.Action.IMPORT, verb="accounts.import", note=filename[:200],
           changes={"created": len(result.created), "errors": len(result.errors)})
    return result


def template_workbook():
    """The sheet to fill in: the columns, two example rows, and the role words on a second sheet."""
    workbook, sheet = new_sheet("员工账号", HEADERS, [16, 12, 16, 16, 24])
    for example in EXAMPLES:
        sheet.append(example)
    roles = workbook.create_sheet("角色")
    roles.append(["角色", "需要"])
    for word, role in ROLE_WORDS.items():
        roles.append([word, "机构" if role in scope.ORGANISATION_ACCOUNT_ROLES else "区划代码"])
    return workbook
