"""The README's tutorial excerpts are what a run prints: the header, the matrix, the counts and the
failure lines of ``--impl tutorial`` under ``CI=1`` (the ``ci`` profile), with and without the
tutorial's expected-failures file. One in-process run with the file gives both (an expected failure
is the same check's failure, with the file's reason in front)."""

from __future__ import annotations

import dataclasses
import functools
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import conformance  # noqa: E402
from conformance.reports.header import header_lines, shown_path  # noqa: E402
from conformance.reports.report import Report  # noqa: E402
from conformance.sandbox.timeouts import DEFAULT_CALL_TIMEOUT_S  # noqa: E402

README = (ROOT / "README.md").read_text(encoding="utf-8")
EXPECTED = ROOT / "conformance" / "targets" / "tutorial_expected.toml"


def code_blocks(text: str) -> list[list[str]]:
    """The README's indented code blocks, each as its lines without the indent."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in text.splitlines():
        if line.startswith("    "):
            current.append(line[4:])
        elif current and line.strip():
            blocks.append(current)
            current = []
    return blocks + ([current] if current else [])


def excerpt(first: str, index: int = 0) -> list[str]:
    """The lines of a code block from its ``index``-th line starting with ``first`` to the block's end."""
    found = [block[i:] for block in code_blocks(README) for i, line in enumerate(block) if line.startswith(first)]
    assert len(found) > index, f"the README has no code line starting {first!r} (#{index})"
    return found[index]


#: The per-call limit of the run: FixedHiddenMLP's loop on an infinite input spins until it, so the
#: run uses 2 s rather than the default 10 s (8 s of CPU less); the one reason that states the limit
#: is read with the default's number (``at_the_default_limit``). No other call comes near either.
SHORT_LIMIT_S = 2.0


@functools.lru_cache(maxsize=1)
def tutorial_with_expected() -> Report:
    return conformance.run("tutorial", profile="ci", expected=EXPECTED, isolate=False, quiet=True,
                           call_timeout=SHORT_LIMIT_S)


def at_the_default_limit(text: str) -> str:
    short, default = (f"did not return within {limit:g} s" for limit in (SHORT_LIMIT_S, DEFAULT_CALL_TIMEOUT_S))
    return text.replace(short, default)


def without_expected(report: Report) -> Report:
    """The same run as it reads without the expected-failures file (and with the default limit)."""
    plain = []
    for r in report.results:
        if r.status == "xfail":
            r = dataclasses.replace(r, status="failed", reason=at_the_default_limit(r.reason.split("\n", 1)[1]),
                                    message=at_the_default_limit(r.message.split("\n", 1)[1]),
                                    fact=at_the_default_limit(r.fact))
        plain.append(r)
    return Report(plain, {k: v for k, v in report.metadata.items() if k != "expected"})


def shown(lines: list[str], printed: str) -> None:
    """Every line of a README excerpt (but ``...``) is a line the run printed."""
    printed_lines = printed.splitlines()
    cli_only = ("each failure in full",)  # the CLI's and pytest's closing hint, not part of print(report)
    missing = [line for line in lines if line.strip() != "..." and not line.startswith(cli_only)
               and line not in printed_lines]
    assert not missing, "README lines the run does not print:\n" + "\n".join(missing) + "\n--- printed:\n" + printed


def test_the_tutorial_excerpts_are_what_a_run_prints() -> None:
    """One run (~25 s of CPU) for every excerpt, so pytest-xdist's workers do not each repeat it."""
    check_the_matrix_counts_and_failures()
    check_the_expected_failures_matrix()
    check_the_reproduce_excerpt()


def check_the_matrix_counts_and_failures() -> None:
    printed = str(without_expected(tutorial_with_expected()))
    shown(excerpt("block            fwd", 0), printed)
    counts = re.search(r"The tutorial.s run counts\s+`([^`]+)`", README)
    assert counts and counts.group(1) in printed.splitlines(), counts
    lines = re.search(r"\(The tutorial's (\d+) failures: (\d+) lines from the matrix to the last failure", README)
    assert lines, "the README states the tutorial's number of failures and lines"
    failures = [r for r in tutorial_with_expected().results if r.status == "xfail"]
    assert int(lines.group(1)) == len(failures)
    assert int(lines.group(2)) == len(printed.splitlines())
    assert all(len(line) <= 100 for line in printed.splitlines())


def check_the_expected_failures_matrix() -> None:
    printed = str(tutorial_with_expected())
    shown(excerpt("block            fwd", 1), printed)
    assert all(line == line[:100] for line in printed.splitlines())


def test_the_header_excerpt_is_the_header() -> None:
    from conformance.loading.target import IMPORT_TIMEOUT_S, load_target

    target = load_target("tutorial")
    where = f"{shown_path(target.file)}; imported by the xdist workers, limit {IMPORT_TIMEOUT_S:g} s"  # as the CLI
    lines = header_lines("tutorial", where, profile="dev", max_examples=60, device="cpu", seed=1234,
                         replay="--hypothesis-seed=1234")
    versions = re.compile(r"(torch|numpy|hypothesis) [\w.+]+")
    readme = excerpt("conformance 0.1.0: target 'tutorial'")[:len(lines)]
    assert [versions.sub(r"\1 V", line) for line in readme] == [versions.sub(r"\1 V", line) for line in lines]
    assert all(len(line) <= 100 for line in lines)


def test_the_readme_says_how_to_install_into_another_project() -> None:
    assert "pip install -q -c ../nn-conformance/constraints.txt ../nn-conformance" in README
    assert "python -m pytest --pyargs conformance --impl blocks.py -n 2" in README


def check_the_reproduce_excerpt() -> None:
    result = next(r for r in tutorial_with_expected().results if r.id == "mylinear.gradient[float32]")
    readme = excerpt("mylinear.gradient[float32]: parameter 'weight' received no gradient")
    example = readme[readme.index("Example:") + 1:readme.index("Reproduce:")]
    assert [line.strip() for line in example] == result.example.splitlines()
    snippet = [line.strip() for line in readme[readme.index("Reproduce:") + 1:] if line.strip() != "..."]
    assert all(line in result.snippet.splitlines() for line in snippet), result.snippet
