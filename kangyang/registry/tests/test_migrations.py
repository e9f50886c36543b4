"""The residence migration keeps existing rows: both communities equal, categories untouched."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("registry", "0008_remove_elder_plain_id_mask_and_tail")]
AFTER = [("registry", "0011_elder_registered_community_required")]


@pytest.mark.django_db(transaction=True)
def test_existing_elders_are_registered_where_they_live():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        Region = old.get_model("regions", "Region")
        Elder = old.get_model("registry", "Elder")
        community = Region.objects.create(code="360103001001", name="桃花社区", level="community")
        elder = Elder.objects.create(
            name="张桂兰", name_initials="zgl", sex="F", birth_date="1945-03-12",
            id_number_encrypted="x", id_number_hash="h", id_last4_hash="t",
            community=community, region_code=community.code, categories_text=",alone,low_income,",
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("registry", "Elder")
    row = new.objects.get(pk=elder.pk)
    assert row.registered_community_id == row.community_id == community.pk
    assert row.categories_text == ",alone,low_income," and row.derived_categories == {}
    # Going back also unapplied the other apps' migrations that depend on a later registry one:
    # every app forward to its latest, as the next test on this database expects.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
