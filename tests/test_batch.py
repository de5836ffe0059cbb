"""Many targets in one run (``--impl A --impl B``, globs, directories, ``conformance.run([...])``):
each judged apart, one combined report; ``--shard K/N`` and ``python -m conformance merge``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import conformance
from conformance.core.registry import all_checks
from conformance.frontends.batch import expand, labels
from conformance.frontends.merge import merge
from conformance.frontends.shards import assign, cost_table, estimate
from tests.test_frontends import ROOT, run

CORRECT = "tests/correct/scratch_blocks.py"      # passes
MUTANT = "tests/mutants/relu_leaky.py"           # fails relu.forward and relu.gradient
SELECT = ["-k", "(relu.forward or relu.structure) and not 16"]  # float32/float64: a batch's plumbing
#: A target whose import rewires torch.where, which the correct target's ReLU uses: run in the
#: same process as the others, it would make them fail. Its own ReLU (torch.nn's) is correct.
HOSTILE = "import torch\nfrom torch.nn import ReLU\ntorch.where = lambda cond, a, b: b\n"


@pytest.fixture
def zoo(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "broken.py").write_text("import torch\nclass ReLU(torch.nn.Module:\n    pass\n")  # SyntaxError
    (tmp_path / "hostile.py").write_text(HOSTILE)
    (tmp_path / "quits.py").write_text("import os\nos._exit(0)\n")  # ends the process that imports it
    return {name: str(tmp_path / f"{name}.py") for name in ("broken", "hostile", "quits")}


def statuses(section: dict) -> dict[str, str]:
    return {r["id"]: r["status"] for r in section["results"]}


def test_cli_batch_judges_each_target_apart(tmp_path: Path, zoo: dict[str, str]) -> None:
    """A passing, a failing, a broken, a hostile and a self-ending target in one run over two
    workers: each has its own verdicts, the run is red, the report has one section per target."""
    out, md = tmp_path / "all.json", tmp_path / "all.md"
    targets = [zoo["hostile"], CORRECT, MUTANT, zoo["broken"], zoo["quits"]]
    result = run("-m", "conformance", *[a for t in targets for a in ("--impl", t)], *SELECT, "-n", "2",
                 "--hypothesis-seed=3", "--report", str(out), "--report-md", str(md))
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(out.read_text())
    sections = report["targets"]
    assert list(sections) == ["hostile", "scratch_blocks", "relu_leaky", "broken", "quits"]
    ids = ["relu.forward[float32]", "relu.forward[float64]", "relu.structure"]
    assert statuses(sections["scratch_blocks"]) == dict.fromkeys(ids, "passed")  # torch.where untouched here
    assert statuses(sections["hostile"]) == dict.fromkeys(ids, "passed")
    assert statuses(sections["relu_leaky"]) == {ids[0]: "failed", ids[1]: "failed", ids[2]: "passed"}
    for name, why in (("broken", "SyntaxError"), ("quits", "ended (status 0)")):
        assert statuses(sections[name]) == dict.fromkeys(ids, "failed")
        assert why in sections[name]["error"] and sections[name]["error"].startswith("the target could not be loaded")
    assert report["summary"]["scratch_blocks"] == {"ok": True, "error": None, "passed": 3}
    assert [label for label, s in report["summary"].items() if not s["ok"]] == ["relu_leaky", "broken", "quits"]
    assert sections["scratch_blocks"]["metadata"]["target_file"].endswith("scratch_blocks.py")
    assert "target" not in report["metadata"] and report["metadata"]["hypothesis_seed"] == 3
    assert "| `relu_leaky` | FAIL | 2 | 1 |" in md.read_text()
    assert "5 targets: 2 ok, 3 not ok: relu_leaky, broken, quits" in result.stdout
    assert "ERROR: the target could not be loaded: --impl" in result.stdout


def test_collected_ids_name_the_target_only_in_a_batch(tmp_path: Path) -> None:
    single = run("-m", "pytest", "conformance", "--impl", CORRECT, "--collect-only", "-q", "-k", "relu.structure")
    assert "conformance/test_structure.py::test_structure[relu.structure]" in single.stdout
    many = run("-m", "pytest", "conformance", "--impl", "tests/correct", "--collect-only", "-q", "-k", "relu.structure")
    assert "conformance/test_structure.py::test_structure[scratch_blocks:relu.structure]" in many.stdout
    assert "conformance/test_structure.py::test_structure[functional_blocks:relu.structure]" in many.stdout


def test_impl_globs_and_directories_expand(tmp_path: Path) -> None:
    specs = expand(["tests/correct/s*.py", "tests/correct", "torch"], ROOT)
    assert specs[:2] == ["tests/correct/safe_checkpoint_io.py", "tests/correct/scratch_blocks.py"]
    assert "tests/correct/lazy_blocks.py" in specs and specs[-1] == "torch" and len(set(specs)) == len(specs)
    assert labels(["a/x.py", "b/x.py", "tutorial"]) == ["a/x", "b/x", "tutorial"]
    for bad, message in ((["tests/nothing*.py"], "matches no .py file"), ([str(tmp_path)], "no .py file")):
        with pytest.raises(conformance.UsageError, match=message):
            expand(bad, ROOT)


def test_api_batch_returns_one_report_per_target(zoo: dict[str, str]) -> None:
    report = conformance.run([CORRECT, MUTANT, zoo["broken"], zoo["hostile"]],
                             checks=["relu.forward[float32]", "relu.forward[float64]", "relu.structure"], seed=11,
                             quiet=True)
    assert isinstance(report, conformance.BatchReport) and not report.ok
    assert [label for label in report.targets if report.target_ok(label)] == ["scratch_blocks", "hostile"]
    assert report.targets["relu_leaky"].summary() == "2 failed, 1 passed"
    assert "SyntaxError" in (report.error("broken") or "")
    data = report.to_dict()
    assert set(data) == {"metadata", "summary", "targets"} and data["metadata"]["hypothesis_seed"] == 11
    assert "targets x properties" in str(report)


def test_shard_assignment_is_deterministic_complete_and_balanced() -> None:
    pairs = [f"t{i}:{c.id}" for i in range(5) for c in all_checks()]
    first, again = assign(pairs, 4), assign(list(reversed(pairs)), 4)
    assert first == again and set(first) == set(pairs) and set(first.values()) == {1, 2, 3, 4}
    table = cost_table()
    loads = [sum(estimate(p.split(":")[1], table) for p in pairs if first[p] == k) for k in (1, 2, 3, 4)]
    assert max(loads) / (sum(loads) / 4) < 1.05
    assert estimate("newblock.forward[float32]", table) == pytest.approx(
        sum(v for k, v in table.items() if ".forward[" in k) / sum(1 for k in table if ".forward[" in k))


def test_shards_merge_into_the_unsharded_report(tmp_path: Path) -> None:
    """A fixed seed: the merged report of three shards is the unsharded run's (ids, verdicts,
    reasons, examples, seeds, metadata); merge refuses shards that are not exactly one run's."""
    common = ["--impl", CORRECT, "--impl", MUTANT, "-k", "(relu.forward or relu.gradient or relu.structure or "
              "relu.strict or linear.forward) and not 16", "--hypothesis-seed=21"]  # 16 checks, passing and failing
    whole = tmp_path / "all.json"
    assert run("-m", "conformance", *common, "--report", str(whole)).returncode == 1
    for k in (1, 2, 3):
        done = run("-m", "conformance", *common, "--shard", f"{k}/3", "--report", str(tmp_path / f"s{k}.json"))
        assert done.returncode in (0, 1), done.stdout[-2000:] + done.stderr[-2000:]
    shards = [str(tmp_path / f"s{k}.json") for k in (1, 2, 3)]
    merged_json, merged_md = tmp_path / "merged.json", tmp_path / "merged.md"
    done = run("-m", "conformance", "merge", *shards, "--report", str(merged_json), "--report-md", str(merged_md))
    assert done.returncode == 1 and "relu_leaky" in done.stdout, done.stderr
    expected, merged = json.loads(whole.read_text()), json.loads(merged_json.read_text())

    def comparable(data: dict) -> dict:
        return {label: [{k: v for k, v in r.items() if k != "duration"} for r in section["results"]]
                for label, section in data["targets"].items()}

    assert comparable(merged) == comparable(expected)
    assert merged["metadata"] == expected["metadata"] and merged["summary"] == expected["summary"]
    sizes = [sum(len(s["results"]) for s in json.loads(Path(p).read_text())["targets"].values()) for p in shards]
    assert sum(sizes) == sum(len(s["results"]) for s in expected["targets"].values()) and min(sizes) > 0
    # not the shards of one run: refused, naming why
    with pytest.raises(conformance.UsageError, match="given twice"):
        merge([shards[0], shards[0], shards[1]])
    with pytest.raises(conformance.UsageError, match="missing shard 3/3"):
        merge(shards[:2])
    with pytest.raises(conformance.UsageError, match="not of a shard"):
        merge([str(whole)])
    other = json.loads(Path(shards[2]).read_text())
    other["metadata"]["hypothesis_seed"] = 22
    (tmp_path / "other_seed.json").write_text(json.dumps(other))
    with pytest.raises(conformance.UsageError, match=r"different settings \(hypothesis_seed"):
        merge([*shards[:2], str(tmp_path / "other_seed.json")])
    other = json.loads(Path(shards[2]).read_text())
    other["metadata"]["shard"]["selection"] = "0" * 16
    (tmp_path / "other_run.json").write_text(json.dumps(other))
    with pytest.raises(conformance.UsageError, match="another run or selection"):
        merge([*shards[:2], str(tmp_path / "other_run.json")])
    refused = run("-m", "conformance", "merge", *shards[:2])
    assert refused.returncode == 4 and refused.stderr.startswith("ERROR: merge: missing shard 3/3")


def test_shard_needs_a_fixed_seed_and_a_valid_part() -> None:
    unseeded = run("-m", "conformance", "--impl", CORRECT, "--shard", "1/2", "--hypothesis-profile", "dev")
    said = unseeded.stdout + unseeded.stderr
    assert unseeded.returncode == 4 and "--shard needs the same seed in every shard" in said
    bad = run("-m", "conformance", "--impl", CORRECT, "--shard", "3/2")
    assert bad.returncode == 4 and "--shard '3/2': give K/N" in bad.stdout + bad.stderr


def test_single_target_shards_merge_into_its_report(tmp_path: Path) -> None:
    common = ["--impl", MUTANT, *SELECT, "--hypothesis-seed=5"]
    assert run("-m", "conformance", *common, "--report", str(tmp_path / "all.json")).returncode == 1
    for k in (1, 2):
        run("-m", "conformance", *common, "--shard", f"{k}/2", "--report", str(tmp_path / f"s{k}.json"))
    merged = merge([str(tmp_path / "s1.json"), str(tmp_path / "s2.json")])
    assert isinstance(merged, conformance.Report)
    whole = json.loads((tmp_path / "all.json").read_text())
    assert merged.metadata == whole["metadata"]
    assert ([(r.id, r.status, r.reason, r.example) for r in merged.results]
            == [(r["id"], r["status"], r["reason"], r["example"]) for r in whole["results"]])
