"""``parametrize_with_checks``: the suite's checks inside a user's own test file, as scikit-learn's
``parametrize_with_checks`` does for estimators::

    from conformance import parametrize_with_checks
    import mypkg.blocks

    @parametrize_with_checks(mypkg.blocks, expected="conformance_expected.toml")
    def test_conformance(check):
        check()

One test per check id (the ids are the pytest ids); expected failures become xfail / skip marks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Mapping

import pytest
from hypothesis import settings as hypothesis_settings

from conformance.core.context import CheckContext
from conformance.core.registry import Check
from conformance.drawing import profiles
from conformance.execution.engine import run_in_pytest
from conformance.frontends.expected import Expectations
from conformance.frontends.runner import prepare
from conformance.loading.target import Target
from conformance.reports.header import header_lines, target_where
from conformance.sandbox.timeouts import DEFAULT_CALL_TIMEOUT_S


class BoundCheck:
    """One check bound to a target: calling it runs the check (raising on a failure, skipping when
    the target does not provide the block). The context is built on the first call, not at import."""

    def __init__(self, check: Check, context: "_LazyContext") -> None:
        self.check, self._context = check, context

    @property
    def id(self) -> str:
        return self.check.id

    @property
    def context(self) -> CheckContext:
        return self._context.get()

    @property
    def target(self) -> Target:
        return self._context.kwargs["target"]

    def __call__(self) -> None:
        run_in_pytest(self.check, self._context.get())  # the execution layer; what the check raised, re-raised

    def header(self, session_profile: str, session_seed: int | str | None) -> list[str]:
        """The header of a pytest run of these checks: their target (the module given to
        ``parametrize_with_checks``, not ``--impl``'s), their settings and their seed
        (``session_profile``, ``session_seed``: ``--hypothesis-profile``, ``--hypothesis-seed``)."""
        kwargs = self._context.kwargs
        settings = kwargs.get("settings")
        profile, max_examples, derandomize = profiles.describe(self._context.profile or session_profile)
        if settings is not None:
            max_examples, derandomize = settings.max_examples, settings.derandomize
        seed = kwargs.get("seed")
        replay = f"parametrize_with_checks(..., seed={seed})"
        if seed is None and session_seed is not None:
            seed, replay = session_seed, f"--hypothesis-seed={session_seed}"
        unseeded = None if derandomize else ("Hypothesis draws a new one per test: fix it with seed=N or "
                                             "--hypothesis-seed=N")
        return header_lines(self.target.spec, target_where(self.target), profile=profile, max_examples=max_examples,
                            device=kwargs["device"], seed=seed, replay=replay, unseeded=unseeded)

    def __repr__(self) -> str:
        return f"<BoundCheck {self.check.id}>"


class _LazyContext:
    def __init__(self, profile: str | None = None, **kwargs: Any) -> None:
        self.profile = profile  # the Hypothesis profile asked for (None: the session's)
        self.kwargs = kwargs
        self.ctx: CheckContext | None = None

    def get(self) -> CheckContext:
        if self.ctx is None:
            from conformance.execution.engine import preload

            preload()  # the modules every process that runs checks has loaded (the same draws for a seed)
            self.ctx = CheckContext(**self.kwargs)
        return self.ctx


def parametrize_with_checks(target: "str | Any | Mapping[str, Any] | Target", *,
                            expected: "str | Path | Expectations | None" = None, checks: Iterable[str] | None = None,
                            profile: str | None = None, max_examples: int | None = None, device: str = "cpu",
                            call_timeout: float | None = DEFAULT_CALL_TIMEOUT_S, strict_expected: bool = False,
                            seed: int | None = None, argname: str = "check",
                            names: Mapping[str, str] | None = None,
                            spec: "str | Path | Iterable[str | Path] | None" = None) -> pytest.MarkDecorator:
    """A ``pytest.mark.parametrize`` over the suite's checks of ``target`` (a module, a mapping of names
    to factories, a module name, a path, or an alias), one test per check id.

    ``checks`` selects by id pattern; ``expected`` is an expected-failures file (its xfails become
    ``xfail`` marks, strict under ``strict_expected``; its skips ``skip`` marks; its tolerances apply).
    Hypothesis settings: ``profile`` / ``max_examples`` if given, else the session's current profile;
    ``seed`` fixes the examples (else Hypothesis's own seeding, e.g. ``--hypothesis-seed``).
    ``names`` maps contract names to the target's own (``{"MLP": "Net"}``), besides the file's ``[names]``.
    ``spec``: files declaring blocks of the user's own (``conformance.database.declare``), registered
    for the test session (the checks' ids and the checks themselves need them).
    """
    from conformance.database.store import load_spec_files

    load_spec_files(spec)
    expected, resolved, selected, _ = prepare("parametrize_with_checks", target, expected, names, checks)
    settings = None
    if profile is not None or max_examples is not None:
        profiles.register()
        settings = hypothesis_settings.get_profile(profile) if profile else hypothesis_settings()
        if max_examples is not None:
            settings = hypothesis_settings(settings, max_examples=max_examples)
    context = _LazyContext(profile, target=resolved, device=device, settings=settings, call_timeout=call_timeout,
                           widen=expected.widen(c.id for c in selected) if expected else {}, seed=seed)
    params = []
    for check in selected:
        mark = expected.mark(check.id, strict=strict_expected) if expected else None
        params.append(pytest.param(BoundCheck(check, context), id=check.id, marks=[mark] if mark else []))
    return pytest.mark.parametrize(argname, params)
