"""Evaluation settings of a parallel data set with L languages.

- monolingual ``X-X``: queries in X, pool of X (L settings);
- cross-lingual ``X-Y``: queries in X, pool of Y != X (L(L-1) settings);
- multilingual ``X-all``: queries in X, one pool of every language, where the relevant
  candidates are the parallel answers in all languages (L settings).

Subset names use ISO 639-3 codes as MTEB does (``eng-deu``, ``eng-all``): query language
first, then the pool. :attr:`Setting.subset` makes them and :meth:`Setting.parse` reads them;
nothing else in the package builds or splits a subset name.

The per-kind mteb tasks (``LAReQAXQuADMono`` ...) name their subsets by role instead
(:attr:`Setting.role_subset`): ``eng`` in the monolingual task (queries and pool in English),
``eng_queries-deu_pool`` in the cross-lingual one and ``eng_queries-all_pool`` in the
multilingual one, so one name never stands for two pools. A
bare pair is ambiguous across mteb: its MLQARetrieval and BelebeleRetrieval put the passages'
language first (``ara-deu`` = Arabic contexts, German questions), xir-bench's own results the
query's; spelling the roles out leaves nothing to guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from xir_bench.core.languages import ISO3_TO_1, iso3, mteb_language
from xir_bench.errors import XirBenchError

SettingKind = Literal["mono", "cross", "multi"]
SETTING_KINDS: tuple[SettingKind, ...] = ("mono", "cross", "multi")
#: The name suffix of each kind's mteb task (``<family>Mono``, ``Cross``, ``Multi``).
KIND_SUFFIX: dict[SettingKind, str] = {"mono": "Mono", "cross": "Cross", "multi": "Multi"}
#: The pool part of a multilingual-pool subset name (``eng-all``).
ALL_LANGUAGES = "all"


@dataclass(frozen=True)
class Setting:
    """One (query language, pool) combination."""

    kind: SettingKind
    query_lang: str
    pool_lang: str | None  # None: the multilingual pool

    @classmethod
    def of(cls, query_lang: str, pool_lang: str | None) -> Setting:
        """The setting of queries in ``query_lang`` against ``pool_lang`` (None: every language)."""
        kind: SettingKind = "multi" if pool_lang is None else "mono" if pool_lang == query_lang else "cross"
        return cls(kind, query_lang, pool_lang)

    @classmethod
    def parse(cls, subset: str) -> Setting:
        """The setting a subset name stands for (``eng-deu``, ``eng-all``); the inverse of :attr:`subset`."""
        query, _, pool = subset.partition("-")
        if query not in ISO3_TO_1 or (pool != ALL_LANGUAGES and pool not in ISO3_TO_1):
            raise XirBenchError(
                f"{subset!r} is not a subset name (QUERY-POOL in ISO 639-3 codes, e.g. eng-deu, eng-all)"
            )
        return cls.of(ISO3_TO_1[query], None if pool == ALL_LANGUAGES else ISO3_TO_1[pool])

    @property
    def role_subset(self) -> str:
        """The subset's name in the per-kind mteb tasks: ``eng`` (mono), ``eng_queries-deu_pool`` (cross),
        ``eng_queries-all_pool`` (multi)."""
        if self.kind == "mono":
            return iso3(self.query_lang)
        pool = ALL_LANGUAGES if self.pool_lang is None else iso3(self.pool_lang)
        return f"{iso3(self.query_lang)}_queries-{pool}_pool"

    @property
    def subset(self) -> str:
        pool = ALL_LANGUAGES if self.pool_lang is None else iso3(self.pool_lang)
        return f"{iso3(self.query_lang)}-{pool}"

    def mteb_languages(self, all_languages: list[str]) -> list[str]:
        pool = all_languages if self.pool_lang is None else [self.pool_lang]
        return list(dict.fromkeys([mteb_language(self.query_lang), *map(mteb_language, pool)]))


def parse_kinds(text: str) -> tuple[SettingKind, ...]:
    """``"mono,cross"`` -> ``("mono", "cross")``, with an error naming bad entries."""
    kinds = tuple(part.strip() for part in text.split(",") if part.strip())
    bad = [k for k in kinds if k not in SETTING_KINDS]
    if bad or not kinds:
        raise XirBenchError(f"unknown setting kind(s) {bad or [text]}; choose from {', '.join(SETTING_KINDS)}")
    return kinds  # type: ignore[return-value]


def enumerate_settings(languages: list[str], kinds: tuple[SettingKind, ...] = SETTING_KINDS) -> list[Setting]:
    """All settings of the given kinds, in a stable order (mono, cross, multi)."""
    settings: list[Setting] = []
    if "mono" in kinds:
        settings += [Setting("mono", x, x) for x in languages]
    if "cross" in kinds:
        settings += [Setting("cross", x, y) for x in languages for y in languages if x != y]
    if "multi" in kinds:
        settings += [Setting("multi", x, None) for x in languages]
    return settings
