"""A task's article -> domain map: the file its card names under ``article_domains``.

The map is data a person wrote (the criteria are at the top of each file), so it is
checked like any input: every domain an article names is declared, and the error names
the file and the article.
"""

from __future__ import annotations

import tomllib

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from xir_bench.cards import TaskCard, task_card_file
from xir_bench.errors import XirBenchError, validation_problems


class DomainMap(BaseModel):
    """``domains``: name -> what belongs in it; ``articles``: article title -> domain name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    domains: dict[str, str]
    articles: dict[str, str]

    @model_validator(mode="after")
    def _declared_domains(self) -> DomainMap:
        undeclared = sorted({d for d in self.articles.values() if d not in self.domains})
        if undeclared:
            examples = [a for a, d in self.articles.items() if d == undeclared[0]][:3]
            raise ValueError(
                f"articles name undeclared domains {undeclared} (e.g. {examples}); declare them under [domains]"
            )
        return self


def article_domains(card: TaskCard) -> DomainMap | None:
    """The card's domain map, or None when it names none."""
    if card.article_domains is None:
        return None
    path = task_card_file(card, card.article_domains)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise XirBenchError(
            f"{card.title}'s card names article_domains = {card.article_domains!r}, but {path} does not exist\n"
            "  fix: add the file, or remove article_domains from the card"
        ) from None
    except tomllib.TOMLDecodeError as err:
        raise XirBenchError(f"{path}: not valid TOML ({err})\n  fix: correct the line it names") from err
    try:
        return DomainMap.model_validate(raw)
    except ValidationError as err:
        raise XirBenchError(f"{path}: {validation_problems(err)}") from err
