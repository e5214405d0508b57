"""Every setting is documented: docs/settings.md is generated from the declarations."""

from __future__ import annotations

from pathlib import Path

from switchboard.core import settings

DOC = Path(__file__).resolve().parents[2] / "docs" / "settings.md"


def test_settings_doc_is_current() -> None:
    assert DOC.read_text() == settings.markdown(), (
        "docs/settings.md is stale: run `switchboard settings-doc > docs/settings.md`"
    )


def test_every_setting_has_help_text() -> None:
    for name, field in settings.Settings.model_fields.items():
        assert field.description, f"setting {name} has no description"


def test_environment_overrides_file_and_default(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "switchboard.toml").write_text('port = 9001\nhost = "0.0.0.0"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SWITCHBOARD_PORT", "9002")
    s = settings.load()
    assert s.port == 9002  # environment wins over the file
    assert s.host == "0.0.0.0"  # the file wins over the default
    assert settings.load(port=9003).port == 9003  # explicit flags win over everything
