"""Worlds learned from a user's own table of people with SDV.

- :mod:`~synth.world.learned.columns`: the table's columns, their roles, places and direct identifiers;
- :mod:`~synth.world.learned.table_rules`: the world's eligibility rules written for the table's columns;
- :mod:`~synth.world.learned.sdv_fit`: the one SDV wrapper (seeded fit, quiet sampling), shared with the
  synthetic-release policy;
- :mod:`~synth.world.learned.population`: :class:`~synth.world.learned.population.LearnedPopulation`, which
  fits the table and samples rows keeping its rules;
- :mod:`~synth.world.learned.build` and :mod:`~synth.world.learned.api`: a world of any size from the
  learned rows, with the same folder, manifest and schema as a preset's world;
- :mod:`~synth.world.learned.validate`: the checks of such a world.
"""
