"""The lowest layer: where work runs (:mod:`~synth.engine.executors`), the backend-neutral relational core
(:mod:`~synth.engine.relational`) and the project's one home for files (:mod:`~synth.engine.io`)."""

from synth.engine.executors import Engine, as_engine, engine_problems, make_engine, resolve_out, run_tasks

__all__ = ["Engine", "as_engine", "engine_problems", "make_engine", "resolve_out", "run_tasks"]
