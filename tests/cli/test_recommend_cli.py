"""`recommender recommend` and `catalog validate`, as a shopper's script or a merchandiser uses them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from recommender_cli.main import main
from tests.conftest import CATALOG_DIR

BUNIONS = {"bunions": "both", "feet_roll_inward": "yes", "pain_areas": ["knee"]}


@pytest.fixture(autouse=True)
def bundled_catalog(monkeypatch, tmp_path):
    monkeypatch.setenv("RECOMMENDER_CATALOG", str(CATALOG_DIR))
    monkeypatch.setenv("RECOMMENDER_MODELS", str(tmp_path / "models"))
    monkeypatch.setenv("RECOMMENDER_DB", f"sqlite:///{tmp_path / 'store.db'}")


def write(path: Path, payload) -> Path:
    path.write_text(payload if isinstance(payload, str) else json.dumps(payload))
    return path


def test_recommend_prints_one_result_with_the_spec_fields(tmp_path, capsys):
    code = main(["recommend", "--answers", str(write(tmp_path / "a.json", BUNIONS)), "--k", "3"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    assert set(result) == {
        "schema_version",
        "triage",
        "items",
        "excluded",
        "advice",
        "suggestions",
        "model_version",
    }
    assert len(result["items"]) == 3 and result["model_version"] == "rules-only"
    assert set(result["items"][0]["score_parts"]) == {"rules", "model", "boost"}


def test_answers_from_stdin_through_the_installed_command(tmp_path):
    command = [
        sys.executable,
        "-m",
        "recommender_cli.main",
        "recommend",
        "--answers",
        "-",
        "--rules-only",
    ]
    done = subprocess.run(
        command, input=json.dumps(BUNIONS), capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["items"][0]["category"] == "orthotic_insole"


def test_a_batch_piped_into_a_reader_that_stops_early_is_not_a_failure(tmp_path):
    batch = write(tmp_path / "in.jsonl", "\n".join([json.dumps(BUNIONS)] * 2000))
    command = [sys.executable, "-m", "recommender_cli.main", "recommend", "--rules-only"]
    reader = subprocess.Popen(["head", "-c", "10"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    done = subprocess.run(
        [*command, "--batch", str(batch)], stdout=reader.stdin, stderr=subprocess.PIPE, check=False
    )
    reader.stdin.close()
    reader.wait()
    assert done.returncode == 0 and b"unexpected" not in done.stderr, done.stderr


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ({"pain_areas": ["elbow"]}, "pain_areas"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
        ("{not json", "not valid JSON"),
        ('{"habits": ["slouching", "slouching"]}', "listed twice"),
        ({"pain_started": "yesterday"}, "pain_started"),
        ({"risk_factors": ["bad_luck"]}, "risk_factors"),
        ({"measurements": {"knee_cm": 500}}, "measurements.knee_cm"),
    ],
)
def test_bad_answers_exit_2_with_one_line_and_no_traceback(tmp_path, capsys, payload, words):
    code = main(["recommend", "--answers", str(write(tmp_path / "bad.json", payload))])
    err = capsys.readouterr().err
    assert code == 2
    assert words in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_a_missing_answers_file_is_named(capsys):
    assert main(["recommend", "--answers", "/nowhere/answers.json"]) == 2
    assert "/nowhere/answers.json" in capsys.readouterr().err


def test_batch_keeps_order_and_a_bad_line_gets_an_error_object(tmp_path):
    lines = [
        json.dumps(BUNIONS),
        '{"pain_areas": ["elbow"]}',
        "{oops",
        json.dumps({"red_flags": ["knee_locked"]}),
    ]
    source = write(tmp_path / "in.jsonl", "\n".join(lines) + "\n")
    out = tmp_path / "out.jsonl"
    assert main(["recommend", "--batch", str(source), "--out", str(out)]) == 0
    results = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(results) == 4
    assert results[0]["items"][0]["category"] == "orthotic_insole"
    assert "line 2" in results[1]["error"] and "pain_areas" in results[1]["error"]
    assert "line 3" in results[2]["error"]
    assert results[3]["triage"]["level"] == "urgent" and results[3]["items"] == []


def test_a_ten_megabyte_answers_file_is_refused_by_size_with_exit_2(tmp_path, capsys):
    huge = '{"habits": [' + '"slouching",' * 900_000 + '"slouching"]}'
    code = main(["recommend", "--answers", str(write(tmp_path / "huge.json", huge))])
    err = capsys.readouterr().err
    assert code == 2 and "larger than" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ('{"sitting_hours": NaN}', "sitting_hours"),
        ('{"budget_max": Infinity}', "budget_max"),
        ('{"weight_kg": "80"}', "weight_kg"),
        ('{"sitting_hours": true}', "sitting_hours"),
        ('{"schema_version": 2}', "schema_version"),
        ('{"pain_areas": ' + "[" * 30_000 + "]" * 30_000 + "}", "nested too deeply"),
    ],
)
def test_numbers_that_are_not_numbers_and_odd_json_exit_2_naming_the_field(
    tmp_path, capsys, payload, words
):
    code = main(["recommend", "--answers", str(write(tmp_path / "bad.json", payload))])
    err = capsys.readouterr().err
    assert code == 2, err
    assert words in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_an_oversized_batch_line_is_refused_without_stopping_the_batch(tmp_path):
    huge = '{"habits": [' + '"slouching",' * 900_000 + '"slouching"]}'  # over 10 MB
    source = write(tmp_path / "in.jsonl", huge + "\n" + json.dumps(BUNIONS) + "\n")
    out = tmp_path / "out.jsonl"
    assert main(["recommend", "--batch", str(source), "--out", str(out)]) == 0
    first, second = (json.loads(line) for line in out.read_text().splitlines())
    assert "larger than" in first["error"] and second["items"]


def test_k_out_of_range_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["recommend", "--answers", str(write(tmp_path / "a.json", BUNIONS)), "--k", "0"])
    assert caught.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1  # one line, naming the option


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["feedback", "purge", "--older-than", "abc"], "--older-than"),
        (["frobnicate"], "frobnicate"),
        (["recommend", "--k", "3"], "--answers"),
    ],
)
def test_a_usage_mistake_is_one_line_naming_it_and_exit_2(capsys, argv, words):
    with pytest.raises(SystemExit) as caught:
        main(argv)
    err = capsys.readouterr().err
    assert caught.value.code == 2 and words in err and err.count("\n") == 1, err


def test_catalog_validate_passes_the_bundled_catalog(capsys):
    assert main(["catalog", "validate", str(CATALOG_DIR)]) == 0
    assert "valid" in capsys.readouterr().out


def test_catalog_validate_lists_every_problem_and_exits_2(tmp_path, capsys):
    broken = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, broken)
    products = broken / "products.csv"
    products.write_text(
        products.read_text().replace("KS-102", "KS-101").replace(",34.00,", ",free,")
    )
    (broken / "weights.toml").write_text("[limits]\nmax_per_category = 99\n")
    assert main(["catalog", "validate", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "row 3, column 'sku'" in err and "column 'price'" in err and "max_per_category" in err
    assert "Traceback" not in err


def test_batch_error_lines_count_blank_lines_so_results_stay_line_for_line(tmp_path):
    lines = [json.dumps(BUNIONS), "", '{"pain_areas": ["outline"]}', json.dumps(BUNIONS)]
    source = write(tmp_path / "in.jsonl", "\n".join(lines) + "\n")
    out = tmp_path / "out.jsonl"
    assert main(["recommend", "--batch", str(source), "--out", str(out)]) == 0
    results = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(results) == 4
    assert results[1]["error"].startswith("line 2:") and "empty" in results[1]["error"]
    assert results[2]["error"].startswith("line 3:") and "pain_areas" in results[2]["error"]
    assert results[3]["items"]


def test_a_failed_batch_leaves_an_earlier_output_file_as_it_was(tmp_path, capsys):
    out = write(tmp_path / "out.jsonl", "yesterday's results\n")
    code = main(["recommend", "--batch", str(tmp_path / "missing.jsonl"), "--out", str(out)])
    assert code == 2 and "missing.jsonl" in capsys.readouterr().err
    assert out.read_text() == "yesterday's results\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


def test_score_parts_printed_add_up_exactly_to_the_printed_score(tmp_path):
    shoppers = [
        {"pain_areas": ["knee", "lower_back"], "sitting_hours": hours, "habits": ["slouching"]}
        for hours in range(0, 13)
    ] + [{**BUNIONS, "activities": ["running", "yoga"], "symptoms": ["tight_hips"]}]
    source = write(tmp_path / "in.jsonl", "\n".join(json.dumps(s) for s in shoppers) + "\n")
    out = tmp_path / "out.jsonl"
    assert main(["recommend", "--batch", str(source), "--out", str(out), "--k", "10"]) == 0
    items = [item for line in out.read_text().splitlines() for item in json.loads(line)["items"]]
    assert items
    for item in items:
        parts = item["score_parts"]
        assert parts["rules"] + parts["model"] + parts["boost"] == item["score"], item["sku"]
