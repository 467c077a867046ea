"""What compares an attack's guesses with the hidden truth: Wilson intervals and risk (:mod:`~synth.scoring.stats`),
the scores of each kind of attack, and breakdowns by stratum. Below the attacks (whose scorers use it) and the
measures, above the world whose truth it reads; never given to an attack's run."""
