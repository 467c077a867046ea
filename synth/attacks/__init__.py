"""Attacks: each a pure function of the attacker's view, the auxiliary data it is granted and a seeded
generator, returning guesses. Scoring against the truth is separate (:mod:`synth.scoring.linkage`)."""
