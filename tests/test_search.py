"""A search ignores diacritics, case and spacing, and names typed decomposed (issue 17,
acceptance 4), on SQLite and PostgreSQL alike."""

from __future__ import annotations

import unicodedata

import pytest

from tests.factories import World
from workflow import nominating, queries
from workflow.folding import fold

NAME = "Nguyễn Thị Ánh Tuyết"


def found(world: World, q: str, who: str = "officer1") -> list[str]:
    """What the pages list (objects) and what the API lists (rows): the same names."""
    actor, day = world.user(who), world.now.date()
    listed = [
        [
            n.nominee_name
            for n in queries.list_nominations(world.session, actor, day, q=q, rows=rows).items
        ]
        for rows in (False, True)
    ]
    assert listed[0] == listed[1]
    return listed[0]


@pytest.mark.parametrize(
    "q",
    ["anh tuyet", "ANH TUYET", "Ánh Tuyết", unicodedata.normalize("NFD", "ánh tuyết"),
     "  anh   tuyet ", "nguyen thi"],
)  # fmt: skip
def test_a_name_is_found_without_its_diacritics(world: World, q: str) -> None:
    world.nominate(name=NAME)
    world.nominate(name="Trần Văn Đức")
    assert found(world, q) == [NAME]


def test_a_name_stored_decomposed_is_found_and_shown_composed(world: World) -> None:
    world.nominate(name=unicodedata.normalize("NFD", NAME))
    assert found(world, "anh tuyet") == [NAME]


def test_d_with_stroke_folds_to_d_and_wildcards_are_plain_text(world: World) -> None:
    world.nominate(name="Trần Văn Đức")
    world.nominate(name="Lê 100% Hoa")
    assert found(world, "van duc") == ["Trần Văn Đức"]
    assert found(world, "%") == ["Lê 100% Hoa"]
    assert found(world, "_") == []


def test_a_rename_is_searched_by_its_new_name(world: World) -> None:
    nid = world.nominate(name="Tên Cũ")
    nominating.update_nomination(
        world.session, nid, world.user("officer1"), expected_version=1,
        changes={"nominee_name": NAME}, now=world.tick(),
    )  # fmt: skip
    assert found(world, "anh tuyet") == [NAME]
    assert found(world, "ten cu") == []


def test_fold() -> None:
    assert fold("  Đặng   QUỐC Bảo ") == "dang quoc bao"
    assert fold(unicodedata.normalize("NFD", "Ánh")) == fold("Ánh") == "anh"
