"""The command line, ``synth``: one Typer app assembled from a module per command group.

- :mod:`synth.cli.world`: ``synth world build | national | validate``
- :mod:`synth.cli.world_tables`: ``synth world learn | extract``
- :mod:`synth.cli.lists`: ``synth list presets | policies | attacks | measures``
- :mod:`synth.cli.runs`: ``synth run``, ``synth report``, ``synth check``
- :mod:`synth.cli.common`: consoles, the one error message, executor and output options

Exit status: 0 success, 1 a validation or a CI threshold failed, 2 bad input or an error that stopped the work
(one message naming the option, file or value and what is allowed; a failed write names its path).
"""

from __future__ import annotations

import atexit
import gc

import typer

from synth.cli.lists import list_app
from synth.cli.runs import RUN_HELP, check, report, run
from synth.cli.world import world_app
from synth.cli.world_tables import EXTRACT_HELP, LEARN_HELP, world_extract, world_learn

HELP = "\n\n".join(
    (
        "Synthetic citizens and breach simulation: a synthetic Kerala whose ground truth is known, exports of it "
        "released under data-minimization policies, attacked as a real adversary would, and the exposure measured.",
        "world: build a world (people, households, registries, electoral roll, caller-ID directory) or a national "
        "population, validate it, learn one from your own table of people, or extract a world as such a table.",
        "list: the calibration presets, minimization policies, attacks and measures shipped, by stable id.",
        "run: run a scenario file (release, policies, attacks, measures) into results, releases and an HTML report.",
        "report: re-render a run's report.",
        "check: exit 1 when a figure of a run exceeds a threshold (a CI gate).",
        "Exit status: 0 done, 1 a validation or threshold failed, 2 bad input or an error that stopped the work.",
    )
)

app = typer.Typer(no_args_is_help=True, add_completion=False, help=HELP)
world_app.command("learn", help=LEARN_HELP)(world_learn)
world_app.command("extract", help=EXTRACT_HELP)(world_extract)
app.add_typer(world_app, name="world")
app.add_typer(list_app, name="list")
app.command("run", help=RUN_HELP)(run)
app.command("report")(report)
app.command("check")(check)


def main() -> None:
    """The ``synth`` command: :data:`app`, in a process that exits without a last garbage collection.

    The interpreter's collection at exit walks every object the imported libraries made (a second with SDV and
    scikit-learn loaded), to free memory the process is about to give back anyway; ``gc.freeze`` at exit skips it.
    Files are closed where they are written, never by that collection.
    """
    atexit.register(gc.freeze)
    app()


__all__ = ["app", "main"]
