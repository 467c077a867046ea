"""The neutral layer every other package may use and which uses none of them: how quasi-identifiers and
secrets are coded (:mod:`~synth.core.coding`), numbering plans (:mod:`~synth.core.numbering`) and where the
shipped data files lie (:mod:`~synth.core.paths`)."""
