"""The attacker's knowledge: per released row, what the attacker knows and which chain of attacks found it.

A real adversary chains what it learns: a digest reversed gives a phone number, the number's caller-ID
label gives a name, the name with the release's age, sex and ward picks out a roll entry, and the roll
entry gives the relative's name and the house. :class:`Knowledge` holds those facts, one row per released
row, each with the chain that produced it (``released`` for what the release itself says, else the
attacks in order, joined by ``>``: ``hash_reversal>caller_id_lookup``). Attacks read it and return it
extended; nothing in it comes from the truth.

Facts (:data:`FACTS`): ``phone`` (a usable number), ``name`` (a full or partial name), ``epic`` (the roll
entry linked), with ``relative_name`` and ``house`` taken from that roll entry. Every linkage guess is kept
too, one per chain (``links``), so that the strongest attacker can be scored over all chains at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from synth.release.build import AttackerView

RELEASED = "released"
FACTS = ("phone", "name", "epic")
# What linking to a roll entry adds (the roll prints it beside the entry).
FROM_ROLL = {"relative_name": "relative_name", "house": "house_name"}
PLAIN_PHONE = r"^\+91\d{10}$"
LINK_SCHEMA = {"row_id": pl.Int64, "epic": pl.String, "chain": pl.String}


def chain(by: pl.Expr, attack_id: str) -> pl.Expr:
    """The chain of a fact found by ``attack_id`` from facts found by ``by`` (``released`` drops out)."""
    return pl.when(by.is_null() | (by == RELEASED)).then(pl.lit(attack_id)).otherwise(by + pl.lit(f">{attack_id}"))


@dataclass(frozen=True)
class Knowledge:
    """What the attacker knows per released row (``facts``) and every link it made (``links``)."""

    facts: pl.DataFrame
    links: pl.DataFrame

    @classmethod
    def from_view(cls, view: AttackerView) -> Knowledge:
        """What the release itself tells: a plain phone number and a name where it has them."""
        data = view.data
        rows = "row_id" in data.columns  # aggregate counts have no row to know anything about
        facts = data.select(pl.col("row_id").cast(pl.Int64)) if rows else pl.DataFrame(schema={"row_id": pl.Int64})

        def released(column: str) -> pl.Series:
            if rows and column in data.columns:
                return data[column].cast(pl.String).alias(column)
            return pl.Series(column, [None] * facts.height, pl.String)

        phone, name = released("phone"), released("name")
        plain = phone.str.contains(PLAIN_PHONE)  # a hashed, masked or tokenized number is not a phone
        facts = facts.with_columns(
            phone=pl.when(plain).then(phone),
            phone_by=pl.when(plain).then(pl.lit(RELEASED)),
            name=name,
            name_by=pl.when(name.is_not_null()).then(pl.lit(RELEASED)),
            epic=pl.lit(None, pl.String),
            epic_by=pl.lit(None, pl.String),
            **{c: pl.lit(None, pl.String) for c in FROM_ROLL},
        )
        return cls(facts=facts, links=pl.DataFrame(schema=LINK_SCHEMA))

    def learn(self, fact: str, found: pl.DataFrame) -> Knowledge:
        """Add ``fact`` (``row_id``, ``fact``, ``by``: the chain) where the attacker did not know it yet."""
        if fact not in FACTS:
            raise ValueError(f"knowledge: unknown fact '{fact}'; allowed are {', '.join(FACTS)}")
        new = found.select(pl.col("row_id").cast(pl.Int64), pl.col(fact).alias("_v"), pl.col("by").alias("_by"))
        new = new.filter(pl.col("_v").is_not_null()).unique("row_id", keep="first", maintain_order=True)
        facts = self.facts.join(new, on="row_id", how="left", maintain_order="left")
        unknown = pl.col(fact).is_null()
        facts = facts.with_columns(
            pl.when(unknown).then(pl.col("_v")).otherwise(pl.col(fact)).alias(fact),
            pl.when(unknown).then(pl.col("_by")).otherwise(pl.col(f"{fact}_by")).alias(f"{fact}_by"),
        ).drop("_v", "_by")
        return Knowledge(facts=facts, links=self.links)

    def link(self, links: pl.DataFrame, roll: pl.DataFrame | None = None) -> Knowledge:
        """Record linkage guesses (``row_id``, ``epic``, ``chain``); the first link of a row becomes its
        ``epic``, with the relative's name and the house the roll prints beside that entry."""
        links = links.select(LINK_SCHEMA.keys()).cast(LINK_SCHEMA)  # type: ignore[arg-type]
        every = pl.concat([self.links, links]).unique(maintain_order=True)
        out = self.learn("epic", links.rename({"chain": "by"}))
        if roll is not None and out.facts["epic"].is_not_null().any():
            # only the entries linked: over the whole state's 2.7 crore entries, 83 lakh facts with 60% linked took
            # 3.4 to 3.6 s, against 4.1 to 4.3 s joined to every entry (their strings cast first)
            linked = out.facts.select("epic").drop_nulls().unique()
            printed = roll.join(linked, on="epic", how="semi").select(
                "epic", *[pl.col(src).cast(pl.String).alias(f"_{k}") for k, src in FROM_ROLL.items()]
            )
            facts = out.facts.join(printed, on="epic", how="left", maintain_order="left")
            facts = facts.with_columns(pl.coalesce(pl.col(k), pl.col(f"_{k}")).alias(k) for k in FROM_ROLL).drop(
                *(f"_{k}" for k in FROM_ROLL)
            )
            out = Knowledge(facts=facts, links=out.links)
        return Knowledge(facts=out.facts, links=every)

    def known(self, fact: str) -> pl.DataFrame:
        """``row_id``, the fact and its chain (``by``) of the rows where the attacker knows it."""
        return self.facts.filter(pl.col(fact).is_not_null()).select("row_id", fact, by=f"{fact}_by")
