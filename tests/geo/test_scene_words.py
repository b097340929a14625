"""A scene record is named one way: the store's row label and the scene problems say ``Scene of I-7`` alike."""
from __future__ import annotations

from geo import duties
from geo.i18n import localise
from geo.store.words import row_label, row_title


def test_the_problems_and_the_store_name_a_scene_with_the_same_words():
    problems = duties.scene_problems({duties.INCIDENT_ID: "I-7", duties.VIDEO_PRESERVED: "yes"})
    label = row_label("Scene of", "I-7")
    assert str(label) == str(duties.scene_label("I-7")) == "Scene of I-7"
    assert row_title("Scene of") is duties.SCENE_OF  # one word, from one place
    for lang in ("en", "es"):
        assert localise(problems[0], lang).startswith(localise(label, lang) + ":"), lang
    assert localise(label, "es") == "Escena de I-7"
