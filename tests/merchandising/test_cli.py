"""The merchandising commands: check-personas, weights history/rollback, admin set-password."""

from __future__ import annotations

import io
import json
import tomllib

from recommender.merchandising.proposals import current_state, propose
from recommender.merchandising.weights_store import save_proposal
from recommender.shop.auth import verify_password
from recommender_cli.main import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_clean_line(err: str) -> None:
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def save_boost(catalog_dir, sku: str, boost: float, who: str = "ana") -> None:
    opened = current_state(catalog_dir)
    data = tomllib.loads(opened.weights_text)
    data["boosts"] = {**data["boosts"], sku: boost}
    save_proposal(catalog_dir, propose(opened, data, {}), base_token=opened.token, who=who)


def test_check_personas_passes_on_the_shipped_catalog(catalog_dir, capsys):
    code, out, _ = run(capsys, "catalog", "check-personas")
    assert code == 0
    assert out.strip().endswith("0 failing")


def test_check_personas_lists_failures_and_exits_2_like_validate(catalog_dir, capsys):
    # Exit 1 means "the tool crashed" (SPEC section 6); a broken expectation is a finding.
    with (catalog_dir / "personas.jsonl").open("a") as personas:
        broken = {"id": "no-socks", "answers": {"pain_areas": ["foot"], "conditions": ["diabetes"]}}
        broken["expect"] = [{"category_in_top": "yoga_prop", "within": 1}]
        personas.write(json.dumps(broken) + "\n")
    code, out, err = run(capsys, "catalog", "check-personas", str(catalog_dir))
    assert code == 2
    assert out.strip().endswith("1 failing")
    assert "- no-socks: category_in_top yoga_prop within 1: expected" in err
    assert "Traceback" not in err


def test_check_personas_names_the_malformed_line_and_exits_2(catalog_dir, capsys):
    with (catalog_dir / "personas.jsonl").open("a") as personas:
        personas.write('{"id": "half a line"\n')
    code, _, err = run(capsys, "catalog", "check-personas")
    lines = sum(1 for _ in (catalog_dir / "personas.jsonl").open())
    assert code == 2
    assert f"personas.jsonl line {lines}: not valid JSON" in err
    assert "Traceback" not in err


def test_history_lists_versions_and_rollback_restores_the_previous_one(catalog_dir, capsys):
    original = current_state(catalog_dir)
    save_boost(catalog_dir, "KS-101", 0.6)
    code, out, _ = run(capsys, "weights", "history")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == ["1", "2"]
    assert "ana" in out.splitlines()[1] and "save" in out.splitlines()[1]
    code, out, _ = run(capsys, "weights", "rollback", "--who", "ben")
    assert (code, out.strip()) == (0, "restored version 1; saved as version 3")
    assert current_state(catalog_dir) == original
    code, out, _ = run(capsys, "weights", "rollback", "--to", "2", "--who", "ben")
    assert code == 0 and "saved as version 4" in out
    assert tomllib.loads(current_state(catalog_dir).weights_text)["boosts"]["KS-101"] == 0.6


def test_rollback_without_history_or_to_an_unknown_version_exits_2(catalog_dir, capsys):
    code, _, err = run(capsys, "weights", "rollback")
    assert code == 2 and "nothing to roll back to" in err
    assert_one_clean_line(err)
    save_boost(catalog_dir, "KS-101", 0.6)
    code, _, err = run(capsys, "weights", "rollback", "--to", "7")
    assert code == 2 and "no saved version 7" in err
    assert_one_clean_line(err)


def test_set_password_from_stdin_stores_only_a_hash(tmp_path, monkeypatch, capsys):
    secrets = tmp_path / ".streamlit" / "secrets.toml"
    secrets.parent.mkdir()
    secrets.write_text('[auth]\nredirect_uri = "http://localhost:8501/oauth2callback"\n')
    monkeypatch.setattr("sys.stdin", io.StringIO("a long staff password\n"))
    code, out, _ = run(
        capsys, "admin", "set-password", "--password-stdin", "--secrets", str(secrets)
    )
    assert code == 0 and "saved" in out
    text = secrets.read_text()
    assert "a long staff password" not in text
    stored = tomllib.loads(text)
    assert verify_password(stored["admin"]["password_hash"], "a long staff password")
    assert stored["auth"]["redirect_uri"].endswith("oauth2callback")
    assert secrets.stat().st_mode & 0o077 == 0


def test_set_password_prompts_twice_and_refuses_a_mismatch(tmp_path, monkeypatch, capsys):
    answers = iter(["first password here", "second password here"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    secrets = tmp_path / "secrets.toml"
    code, _, err = run(capsys, "admin", "set-password", "--secrets", str(secrets))
    assert code == 2 and "the two passwords differ" in err
    assert_one_clean_line(err)
    assert not secrets.exists()


def test_set_password_refuses_a_short_password(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    secrets = tmp_path / "secrets.toml"
    code, _, err = run(
        capsys, "admin", "set-password", "--password-stdin", "--secrets", str(secrets)
    )
    assert code == 2 and "at least 10 characters" in err
    assert not secrets.exists()
