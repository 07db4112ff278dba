"""The exit record: reading and checking it, and opening a win-back case from it."""
import pandas as pd
import pytest
import yaml

from winback_research.cli import main
from winback_research.cases import read_cases
from winback_research.core import InputError
from winback_research.exitrecord import EXIT_FIELDS, case_from_exit, exit_template, read_exit

RECORD = dict(exit_id="EX-7", supplier="Acme Pumps", customer="Gulf Water", exit_year=2020, initiator="customer",
              last_talk_held=True, reasons_given="Prices rose twice in a year.", reason_primary="price",
              suggestions="Index prices to steel.", currency="USD", loss_outstanding=25000, loss_returns=4000,
              idle_capacity_cost=90000, lesson="Price changes need a conversation first.", prevention="A pricing review with key customers.")


def test_template_lists_every_field_in_both_languages():
    for lang in ("en", "zh"):
        t = yaml.safe_load(exit_template(lang))
        assert list(t) == list(EXIT_FIELDS) and all(v is None for v in t.values())
    assert "最后一次谈话" in exit_template("zh")


def test_yaml_record_to_open_case(tmp_path):
    p = tmp_path / "exit.yaml"
    p.write_text(yaml.safe_dump(RECORD, allow_unicode=True), encoding="utf-8")
    case = case_from_exit(read_exit(p))
    r = case.iloc[0]
    assert (r.case_id, r.dissolution_year, r.observed_year, str(r.reason_primary), str(r.initiator)) == ("EX-7", 2020, 2020, "price", "customer")
    assert r.reason_primary_evidence == "exit record EX-7: reasons given: Prices rose twice in a year.; suggestions: Index prices to steel."
    assert "outstanding payments 25,000.00 USD, returns 4,000.00 USD" in r.notes and "Lesson: Price changes" in r.notes
    assert float(r.idle_capacity_cost) == 90000 and r.idle_capacity_cost_evidence == "exit record EX-7"
    for c in ("recaptured", "reapproached", "recapture_year", "rca_done", "dialogue_level"):
        assert pd.isna(r[c]), c                                         # the win-back has not started
    assert pd.isna(r.breakup_tempo)                                     # nothing invented


def test_table_of_records_every_problem_at_once(tmp_path):
    p = tmp_path / "exits.csv"
    df = pd.DataFrame([RECORD, {**RECORD, "exit_year": "twenty"}, {**RECORD, "exit_id": "EX-8", "loss_returns": -1, "reason_primary": "Price"}])
    df.to_csv(p, index=False)
    with pytest.raises(InputError) as e:
        read_exit(p)
    msg = str(e.value)
    assert msg.startswith("exits.csv: 4 problems")
    assert "row 3, column 'exit_year': 'twenty'" in msg and "row 3, column 'exit_id': 'EX-7' is used by an earlier record" in msg
    assert "row 4, column 'loss_returns': '-1' must be at least 0" in msg and "'Price' is not one of" in msg and "did you mean 'price'?" in msg


def test_cli_template_and_open_case(tmp_path, capsys):
    assert main(["template", "--exit", "-o", str(tmp_path / "exit.yaml")]) == 0
    assert main(["open-case", str(tmp_path / "exit.yaml"), "-o", str(tmp_path / "case.yaml")]) == 1     # blank: required fields
    assert "'exit_id': is required but empty" in capsys.readouterr().err
    (tmp_path / "filled.yaml").write_text(yaml.safe_dump(RECORD), encoding="utf-8")
    assert main(["open-case", str(tmp_path / "filled.yaml"), "-o", str(tmp_path / "case.yaml")]) == 0
    assert main(["validate", str(tmp_path / "case.yaml")]) == 0
    assert read_cases(tmp_path / "case.yaml").case_id.tolist() == ["EX-7"]
    assert main(["open-case", str(tmp_path / "filled.yaml"), "-o", str(tmp_path / "case.yaml")]) == 1     # no --force
    assert main(["open-case", str(tmp_path / "filled.yaml"), "-o", str(tmp_path / "filled.yaml"), "--force"]) == 1   # never the input
    assert yaml.safe_load((tmp_path / "filled.yaml").read_text())["exit_id"] == "EX-7"
