"""Generators of the same person records, ours and the peers', each measured in a process of its own.

Every generator produces one row per person with the same seven fields: ``name``, ``gender`` (``M``/``F``),
``age``, ``district`` (its name), ``ward`` (the state-wide ward code of the 2025 delimitation), ``phone`` and
``group`` (one of :data:`GROUPS`: the registry a person belongs to, or ``none``).

- ``ours``: a world built with :func:`synth.world.build.build_world` (every table: people in households,
  registries by their eligibility rules, the electoral roll, the caller-ID directory, written to Parquet with
  checksums), then the seven fields read back from it (:func:`person_fields`). The clock covers both.
- ``faker`` (``en_IN``) and ``mimesis`` (English: it has no Indian locale): each field drawn by the library's
  own seeded random API, names and phone numbers from its own providers, and what it has no notion of given as
  vocabularies of Kerala (:func:`kerala_vocabulary`): a district drawn from the 14 districts, a ward from the
  wards of that district (so that the ward always lies in its district), a group from :data:`GROUPS`, each
  uniformly, as a list is drawn from.
- ``indian_fakedata``: the library's own profile generator with ``state = "Kerala"`` (it knows Kerala's 14
  districts), which builds its whole profile (about a hundred fields: the library has no way to build fewer);
  the ward and the group, which it lacks, drawn from the same vocabularies with a seeded numpy generator.
- ``sdv``: SDV's Gaussian copula with the metadata SDV detects, fitted on a seeded sample of our world's seven
  fields (:func:`person_fields`) and then sampled; the clock covers the sampling (fitting is reported apart).

Run one as ``python -m benchmarks.generators NAME --rows N --out FILE.parquet [...]``: it prints one line of
JSON with the rows, the seconds, persons per second and the peak memory of its process.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import json
import sys
import tempfile
import time
import types
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from benchmarks.common import SEED, peak_rss_mb
from synth import World, open_world
from synth.world.build import build_world
from synth.world.plan import WorldSpec
from synth.world.preset import PENSION_SCHEMES, load_preset

GROUPS = ("none", "employee", "entrepreneur", "womens_scheme", *(f"pension:{s}" for s in PENSION_SCHEMES))
FIELDS = ("name", "gender", "age", "district", "ward", "phone", "group")
SCHEMA = {
    "name": pl.String,
    "gender": pl.String,
    "age": pl.Int16,
    "district": pl.String,
    "ward": pl.String,
    "phone": pl.String,
    "group": pl.String,
}
GENERATORS = ("ours", "faker", "mimesis", "indian_fakedata", "sdv")
PEERS = GENERATORS[1:]
PACKAGE = {
    "ours": "synth-citizens",
    "faker": "faker",
    "mimesis": "mimesis",
    "indian_fakedata": "indian-fakedata",
    "sdv": "sdv",
}
SDV_TRAIN_ROWS = 100_000  # rows of our world SDV is fitted on (a seeded sample where the world has more)


@dataclass(frozen=True)
class Vocabulary:
    """Kerala as lists a peer can draw from: district names, the wards of each district, the groups."""

    districts: tuple[str, ...]
    wards: dict[str, tuple[str, ...]]
    groups: tuple[str, ...] = GROUPS


def kerala_vocabulary(preset: str = "kerala-2026") -> Vocabulary:
    """The 14 districts of Kerala and the ward codes of each, from the preset's geography."""
    p = load_preset(preset)
    wards = (
        p.table("wards")
        .select("ward_code", "local_body_code")
        .join(p.table("local_bodies").select("local_body_code", "district_code"), on="local_body_code")
        .join(p.table("districts").select("district_code", "district"), on="district_code")
        .sort("ward_code")
    )
    districts = tuple(p.table("districts").sort("district_code")["district"].to_list())
    by_district = {
        str(d): tuple(sorted(str(w) for w in codes))
        for d, codes in wards.group_by("district").agg(pl.col("ward_code")).iter_rows()
    }
    return Vocabulary(districts=districts, wards=by_district)


def ward_districts(preset: str = "kerala-2026") -> pl.DataFrame:
    """``ward`` (ward code) and ``ward_district`` (the name of the district it lies in), for every ward."""
    p = load_preset(preset)
    return (
        p.table("wards")
        .select(ward="ward_code", local_body_code="local_body_code")
        .join(p.table("local_bodies").select("local_body_code", "district_code"), on="local_body_code")
        .join(p.table("districts").select("district_code", ward_district="district"), on="district_code")
        .select("ward", "ward_district")
    )


def _frame(rows: dict[str, list[Any]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=SCHEMA)


def person_fields(world: World) -> pl.DataFrame:
    """The seven fields of every person of a world, one row per person, by person id.

    ``phone`` is the contact phone a person gives to registries (every person has one: a child's or an elder's
    is a family member's); ``group`` is the person's registry, the first of women's scheme, a welfare pension
    (``pension:SCHEME``), state employment and small enterprise that holds the person, else ``none``.
    """
    preset = load_preset(world.manifest["build"]["spec"]["preset"])
    districts = preset.table("districts").select("district_code", "district")
    parts = [
        world.table("womens_scheme").select("person_id", group=pl.lit("womens_scheme"), rank=pl.lit(0)),
        world.table("pensioners").select(
            "person_id", group=pl.lit("pension:") + pl.col("scheme").cast(pl.String), rank=pl.lit(1)
        ),
        world.table("employees").select("person_id", group=pl.lit("employee"), rank=pl.lit(2)),
        world.table("entrepreneurs").select("person_id", group=pl.lit("entrepreneur"), rank=pl.lit(3)),
    ]
    groups = pl.concat(parts).sort("rank").unique("person_id", keep="first").select("person_id", "group")
    people = world.people.select(
        "person_id",
        "name",
        gender=pl.col("sex").cast(pl.String),
        age=pl.col("age").cast(pl.Int16),
        district_code="district_code",
        ward="ward_code",
        phone="contact_phone",
    )
    return (
        people.join(groups, on="person_id", how="left")
        .join(districts.lazy(), on="district_code", how="left")
        .with_columns(pl.col("group").fill_null("none"))
        .sort("person_id")
        .select(*FIELDS)
        .collect()
    )


def ours(spec: WorldSpec, folder: Path, workers: int = 1) -> pl.DataFrame:
    """Build the world of ``spec`` into ``folder`` (which must not hold another world), then read its fields."""
    build_world(spec, folder, workers=workers)
    return person_fields(open_world(folder))


# Steps of our generation path that the profile reports: (label, file, function).
PHASES = (
    ("plan: the state's plan cut to the geography", "synth/world/plan.py", "plan_world"),
    ("draws of one local body (all below)", "synth/world/generate.py", "generate_local_body"),
    ("  people: age, sex, community, marital status, occupation", "synth/world/people.py", "sample_people"),
    ("  households and family links", "synth/world/households.py", "form_households"),
    ("  given names (people, relatives, ghosts)", "synth/world/names.py", "draw_given"),
    ("  relatives' names", "synth/world/generate.py", "relative_names"),
    ("  phones", "synth/world/generate.py", "phones"),
    ("  vocabularies of names (loaded once)", "synth/world/names.py", "load_vocabulary"),
    ("  columns with nulls to Arrow (ids, phones)", "synth/world/generate.py", "nullable"),
    ("  registries by their eligibility rules", "synth/world/registries.py", "draw_registries"),
    ("  electoral roll: who is on it", "synth/world/auxiliary.py", "draw_roll"),
    ("  electoral roll: its rows", "synth/world/generate.py", "roll_frame"),
    ("  caller-ID directory", "synth/world/generate.py", "directory_frame"),
    ("render: codes to names, ids, the tables", "synth/world/render.py", "render"),
    ("Parquet writes", "synth/engine/io.py", "atomic_parquet"),
    ("SHA-256 checksums of the files", "synth/engine/io.py", "sha256_file"),
    ("reading the seven fields back", "benchmarks/generators.py", "person_fields"),
)


def profile_ours(spec: WorldSpec, folder: Path, workers: int = 1) -> dict[str, Any]:
    """Build the world of ``spec`` under cProfile; the cumulative seconds of each step of :data:`PHASES`.

    Returns
    -------
    dict
        ``total_seconds`` (profiled, so slower than unprofiled), ``people`` and ``phases``: a list of
        ``[label, seconds, share of the total]`` in the order of :data:`PHASES`. Steps nest (the draws of a
        local body hold the steps indented under them), so shares do not add up to one.
    """
    import cProfile
    import pstats

    import pandas  # noqa: F401  (imported lazily by the first build: an import, not generation)

    from synth.world import build

    build._plan_for.cache_clear()  # the plan is part of the work, even where this process made it before
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    frame = ours(spec, folder, workers)
    profiler.disable()
    total = time.perf_counter() - started
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    phases = []
    for label, file, function in PHASES:
        seconds = sum(v[3] for (f, _, name), v in stats.items() if name == function and f.endswith(file))
        phases.append([label, seconds, seconds / total])
    return {"total_seconds": total, "people": frame.height, "phases": phases}


def faker_rows(n: int, seed: int, vocab: Vocabulary) -> pl.DataFrame:
    """``n`` records drawn with Faker (``en_IN``), every draw from its seeded instance."""
    from faker import Faker

    fake = Faker("en_IN")
    fake.seed_instance(seed)
    element, integer = fake.random_element, fake.random_int
    male, female, phone = fake.name_male, fake.name_female, fake.phone_number
    districts, wards, groups = vocab.districts, vocab.wards, vocab.groups
    cols: dict[str, list[Any]] = {f: [] for f in FIELDS}
    for _ in range(n):
        gender = element(("M", "F"))
        district = element(districts)
        cols["name"].append(male() if gender == "M" else female())
        cols["gender"].append(gender)
        cols["age"].append(integer(0, 100))
        cols["district"].append(district)
        cols["ward"].append(element(wards[district]))
        cols["phone"].append(phone())
        cols["group"].append(element(groups))
    return _frame(cols)


def mimesis_rows(n: int, seed: int, vocab: Vocabulary) -> pl.DataFrame:
    """``n`` records drawn with mimesis (English locale, Indian phone mask), every draw from its seeded random."""
    from mimesis import Person
    from mimesis.enums import Gender
    from mimesis.locales import Locale

    person = Person(Locale.EN, seed=seed)
    rnd = person.random
    full_name, phone = person.full_name, person.phone_number
    districts, wards, groups = vocab.districts, vocab.wards, vocab.groups
    cols: dict[str, list[Any]] = {f: [] for f in FIELDS}
    for _ in range(n):
        gender = rnd.choice(("M", "F"))
        district = rnd.choice(districts)
        cols["name"].append(full_name(gender=Gender.MALE if gender == "M" else Gender.FEMALE))
        cols["gender"].append(gender)
        cols["age"].append(rnd.randint(0, 100))
        cols["district"].append(district)
        cols["ward"].append(rnd.choice(wards[district]))
        cols["phone"].append(phone(mask="+91##########"))
        cols["group"].append(rnd.choice(groups))
    return _frame(cols)


def import_indian_fakedata() -> types.ModuleType:
    """Import ``indian_fakedata``; its module of narrative texts (unused here) needs Python 3.12 to parse.

    indian-fakedata 2.1.0 declares Python 3.8+, but ``indian_fakedata/utils/narrative.py`` uses an f-string
    that only Python 3.12 parses, and the package imports it on import. Under an older Python a stand-in for
    that one module (whose functions raise) is registered first; the profile generator is unchanged.
    """
    name = "indian_fakedata.utils.narrative"
    if sys.version_info < (3, 12) and name not in sys.modules:
        stub = types.ModuleType(name)

        def unavailable(*args: Any, **kwargs: Any) -> Any:
            raise NotImplementedError("indian-fakedata's narratives need Python 3.12")

        stub.generate_narrative = unavailable  # type: ignore[attr-defined]
        stub.generate_all_narratives = unavailable  # type: ignore[attr-defined]
        sys.modules[name] = stub
    import indian_fakedata

    return indian_fakedata


def indian_fakedata_rows(n: int, seed: int, vocab: Vocabulary) -> pl.DataFrame:
    """``n`` Kerala profiles from indian-fakedata (seeded); ward and group from the vocabularies (seeded numpy)."""
    ifd = import_indian_fakedata()
    rng = np.random.default_rng(seed)
    genders = {"male": "M", "female": "F"}
    cols: dict[str, list[Any]] = {f: [] for f in FIELDS}
    profiles = ifd.generate_stream(
        count=n, seed=seed, constraints={"state": "Kerala"}, include_probability_metrics=False
    )
    groups = vocab.groups
    for profile in profiles:
        district = profile["district"]
        wards = vocab.wards.get(district, ())
        cols["name"].append(f"{profile['firstName']} {profile['lastName']}")
        cols["gender"].append(genders.get(profile["gender"], profile["gender"]))
        cols["age"].append(profile["age"])
        cols["district"].append(district)
        cols["ward"].append(wards[int(rng.integers(len(wards)))] if wards else None)
        cols["phone"].append("+91" + profile["phoneNumber"])
        cols["group"].append(groups[int(rng.integers(len(groups)))])
    return _frame(cols)


def sdv_fit(sample: pl.DataFrame, seed: int) -> tuple[Any, dict[str, str]]:
    """A Gaussian copula fitted on ``sample`` with the metadata SDV detects; also the sdtype of each column."""
    from sdv.metadata import Metadata
    from sdv.single_table import GaussianCopulaSynthesizer

    frame = sample.select(*FIELDS).to_pandas()
    meta = Metadata.detect_from_dataframes({"people": frame})
    sdtypes = {c: str(v["sdtype"]) for c, v in meta.to_dict()["tables"]["people"]["columns"].items()}
    with warnings.catch_warnings():  # SDV asks every synthesizer to save its metadata to JSON
        warnings.simplefilter("ignore", UserWarning)
        model = GaussianCopulaSynthesizer(meta)
        model.fit({"people": frame})  # RDT's transformers seed themselves (from the data), so the fit is repeatable
    return model, sdtypes


def sdv_rows(model: Any, n: int, seed: int) -> pl.DataFrame:
    """``n`` rows sampled from a fitted SDV model (seeded)."""
    model._set_random_state(seed)  # SDV 2.0 has no public seed for sampling: without it, its own fixed one
    with contextlib.redirect_stderr(io.StringIO()):  # its progress bar
        sampled = model.sample(n)
    frame = sampled["people"] if isinstance(sampled, dict) else sampled
    return pl.from_pandas(frame).with_columns(pl.col("age").round(0).cast(pl.Int16)).cast(SCHEMA)  # type: ignore[arg-type]


PEER_FUNCTIONS: dict[str, Callable[[int, int, Vocabulary], pl.DataFrame]] = {
    "faker": faker_rows,
    "mimesis": mimesis_rows,
    "indian_fakedata": indian_fakedata_rows,
}


def measure(
    generator: str,
    rows: int,
    seed: int = SEED,
    spec: WorldSpec | None = None,
    sample: Path | None = None,
    out: Path | None = None,
    workers: int = 1,
) -> dict[str, Any]:
    """Run one generator once in this process and measure it.

    Parameters
    ----------
    generator
        One of :data:`GENERATORS`.
    rows
        Records to generate (``ours`` builds the whole world of ``spec`` instead).
    seed
        Seeds every draw.
    spec
        The world ``ours`` builds.
    sample
        Parquet file of our world's fields (:func:`person_fields`) that ``sdv`` is fitted on.
    out
        Where the generated records are written (after the clock stops), for the realism measures.
    workers
        Worker processes ``ours`` builds with.

    Returns
    -------
    dict
        ``generator``, ``version``, ``rows``, ``seconds`` (generation only), ``persons_per_second``,
        ``setup_seconds`` (imports, vocabularies, SDV's fit), ``rss_before_mb`` (after the setup) and
        ``peak_rss_mb`` (the whole process, or its largest worker), with ``notes``.
    """
    if generator not in GENERATORS:
        raise ValueError(f"generator '{generator}': allowed are {', '.join(GENERATORS)}")
    started = time.perf_counter()
    notes: dict[str, Any] = {}
    run: Callable[[], pl.DataFrame]
    with tempfile.TemporaryDirectory(prefix="synth-bench-") as tmp:
        if generator == "ours":
            if spec is None:
                raise ValueError("generator 'ours' needs the spec of the world to build")
            world_spec = spec

            import pandas  # noqa: F401  (imported lazily on the first build: outside the clock, as peers' imports)

            def run() -> pl.DataFrame:
                return ours(world_spec, Path(tmp) / "world", workers)

            notes["workers"] = workers
        elif generator == "sdv":
            if sample is None:
                raise ValueError("generator 'sdv' needs a sample of our world to fit on")
            importlib.import_module("sdv.single_table")  # about 4 s and 0.9 GB (it imports torch)
            fitting = time.perf_counter()
            model, sdtypes = sdv_fit(pl.read_parquet(sample), seed)
            notes["fit_seconds"] = round(time.perf_counter() - fitting, 2)
            notes["fit_rows"] = pl.scan_parquet(sample).select(pl.len()).collect().item()
            notes["sdtypes"] = sdtypes

            def run() -> pl.DataFrame:
                return sdv_rows(model, rows, seed)

        else:
            vocab = kerala_vocabulary()
            if generator == "indian_fakedata":
                import_indian_fakedata()
            else:
                importlib.import_module(generator)  # imports outside the clock, for every generator
            function = PEER_FUNCTIONS[generator]

            def run() -> pl.DataFrame:
                return function(rows, seed, vocab)

        setup = time.perf_counter() - started
        before = peak_rss_mb()
        clock = time.perf_counter()
        frame = run()
        seconds = time.perf_counter() - clock
        peak = peak_rss_mb()
    if out is not None:
        frame.write_parquet(out)
    return {
        "generator": generator,
        "version": metadata.version(PACKAGE[generator]),
        "rows": frame.height,
        "seconds": seconds,
        "persons_per_second": frame.height / seconds if seconds > 0 else float("inf"),
        "setup_seconds": setup,
        "rss_before_mb": before,
        "peak_rss_mb": peak,
        "notes": notes,
    }


def run_generator(
    label: str,
    spec: WorldSpec,
    rows: int,
    folder: Path,
    sample: Path | None = None,
    workers: int = 1,
    timeout: float | None = None,
) -> dict[str, Any]:
    """Measure one generator in a process of its own (:func:`main`), then the realism of what it wrote.

    Parameters
    ----------
    label
        A name for the run (``ours``, ``ours_2_workers``, ``faker``, ...); its generator is the part before any
        ``_2_workers``.
    spec
        The world ours builds (and that SDV's sample came from); peers are held to the whole state.
    rows
        Records a peer generates.
    folder
        Where the generated records are written.
    sample
        Parquet sample of our world (for ``sdv``).
    workers
        Worker processes for ours.
    timeout
        Seconds before the process is killed.

    Returns
    -------
    dict
        What :func:`measure` returns, with ``label`` and ``realism`` (:func:`benchmarks.realism.realism`).
    """
    from benchmarks.common import python_module, run_json
    from benchmarks.realism import realism, targets_for

    generator = label.removesuffix("_2_workers")
    out = folder / f"{label}.parquet"
    args = ["--out", str(out), "--seed", str(SEED), "--workers", str(workers)]
    if generator == "ours":
        args += ["--spec", json.dumps(spec.to_dict())]
    else:
        args += ["--rows", str(rows)]
    if generator == "sdv" and sample is not None:
        args += ["--sample", str(sample)]
    result = run_json(python_module("benchmarks.generators", generator, *args), timeout=timeout)
    kerala = generator in PEER_FUNCTIONS
    result["realism"] = realism(pl.read_parquet(out), targets_for(None if kerala else spec), ward_districts())
    result["label"] = label
    return result


def sdv_sample(world: World, path: Path, rows: int = SDV_TRAIN_ROWS, seed: int = SEED) -> Path:
    """Write a seeded sample of at most ``rows`` of the world's records (:func:`person_fields`) to ``path``."""
    fields = person_fields(world)
    if fields.height > rows:
        rng = np.random.default_rng(seed)
        fields = fields[np.sort(rng.choice(fields.height, rows, replace=False))]
    fields.write_parquet(path)
    return path


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: measure one generator and print its figures as one line of JSON."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generators", description=__doc__.splitlines()[0])
    parser.add_argument("generator", choices=GENERATORS)
    parser.add_argument("--rows", type=int, default=10_000, help="records to generate (peers)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--spec", default=None, help="JSON of the WorldSpec ours builds")
    parser.add_argument("--sample", type=Path, default=None, help="Parquet sample of our world (sdv)")
    parser.add_argument("--out", type=Path, default=None, help="Parquet file for the generated records")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    spec = None
    if args.spec:
        raw = json.loads(args.spec)
        spec = WorldSpec(**{**raw, "districts": tuple(raw.get("districts", ()))})
    result = measure(args.generator, args.rows, args.seed, spec, args.sample, args.out, args.workers)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
