"""The audit log in words: who, what, which record, old → new, personal values masked."""

import re
from pathlib import Path

from django.utils import translation

import kangyang
from kangyang.audit.actions import record
from kangyang.audit.labels import labels
from kangyang.audit.models import AuditEntry
from kangyang.audit.presentation import describe

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def row_of(html: str, verb: str) -> str:
    return html.split(f'data-verb="{verb}"', 1)[1].split("</tr>", 1)[0]


def test_a_sign_in_reads_as_who_with_their_role_signed_in_to_which_account(client, admin, worker_a):
    worker_a.full_name = "李娟"
    worker_a.save(update_fields=["full_name"])
    record(worker_a, AuditEntry.Action.LOGIN, worker_a, verb="login")
    client.force_login(admin)
    row = row_of(client.get("/audit/", **EN).text, "login")
    assert "李娟" in row and "(community worker)" in row
    assert "signed in" in row and "user 李娟" in row
    assert "accounts.user:" not in re.sub(r'(data-target|href)="[^"]*"', "", row)


def test_a_change_shows_old_and_new_values_in_words(client, admin, worker_a, elder_in_a):
    record(worker_a, AuditEntry.Action.CHANGE, elder_in_a, verb="elder.update", changes={
        "name": ["张桂兰", "张桂英"], "living_arrangement": ["alone", "spouse"],
        "community": ["360103001001", "360103002001"],
    })
    client.force_login(admin)
    row = row_of(client.get("/audit/", **EN).text, "elder.update")
    assert "张桂兰 → 张桂英" in row and "桃花社区 → 朝阳社区" in row
    assert "edited" in row and "elder 张桂兰" in row
    assert "lives alone → with spouse only" in row  # choices in words, not their codes


def test_id_numbers_and_phones_are_masked_and_a_birth_date_shown_only_as_changed(admin, worker_a, elder_in_a):
    record(worker_a, AuditEntry.Action.CHANGE, elder_in_a, verb="elder.update", changes={
        "id_number": ["360103194503120026", "360103194503120042"], "phone": ["13807911234", "13900001111"],
        "birth_date": ["1945-03-12", "1945-03-21"],
    })
    with translation.override("en"):
        (line,) = [x for x in describe(AuditEntry.objects.filter(verb="elder.update"))]
    shown = {c.label: (c.old, c.new) for c in line.changes}
    assert shown["ID number"] == ("360103********0026", "360103********0042")
    assert shown["phone"] == ("138****1234", "139****1111")
    assert shown["birth date"] == (None, None)  # the page says only "changed"


def test_a_removed_record_and_an_unknown_code_still_read_as_words(admin, worker_a, elder_in_a):
    from kangyang.registry.models import Elder

    entry = record(worker_a, AuditEntry.Action.CHANGE, elder_in_a, verb="elder.no_such_code")
    AuditEntry.objects.filter(pk=entry.pk)  # the entry itself is never rewritten
    with translation.override("en"):
        (line,) = describe([entry])
        assert line.what == "changed" and line.record == f"elder {elder_in_a.name}"
        ghost = AuditEntry(action="change", verb="elder.update", target_type="registry.elder",
                           target_id=str(Elder.objects.order_by("-pk").first().pk + 1000))
        assert describe([ghost])[0].record.endswith("(removed)")


def test_the_create_action_has_a_label_of_its_own_apart_from_the_created_time_heading():
    label = AuditEntry.Action.CREATE.label
    assert (getattr(label, "_args", None) or label._proxy____args) == ("audit action", "created")


def test_every_code_the_platform_records_is_named_in_words():
    """Read from the source: every `verb="…"` passed to audit.record has a label."""
    package = Path(kangyang.__file__).parent
    verbs = set()
    for path in package.glob("*/**/*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        verbs |= set(re.findall(r'\bverb="([a-z_.]+)"', path.read_text()))
    assert verbs, "found no audited verbs: the pattern no longer matches the code"
    missing = sorted(verbs - set(labels().verbs))
    assert missing == []


def test_the_entries_are_shown_as_written(admin, worker_a, elder_in_a):
    entry = record(worker_a, AuditEntry.Action.CHANGE, elder_in_a, verb="elder.update", changes={"name": ["a", "b"]})
    describe([entry])
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.changes == {"name": ["a", "b"]} and stored.verb == "elder.update"
