"""Language codes: the data files use ISO 639-1, MTEB uses ISO 639-3 plus script."""

from __future__ import annotations

#: ISO 639-1 code -> (ISO 639-3 code, ISO 15924 script), for every language of the tasks.
LANGUAGES: dict[str, tuple[str, str]] = {
    "ar": ("ara", "Arab"),
    "bn": ("ben", "Beng"),
    "de": ("deu", "Latn"),
    "el": ("ell", "Grek"),
    "en": ("eng", "Latn"),
    "es": ("spa", "Latn"),
    "fa": ("fas", "Arab"),
    "fi": ("fin", "Latn"),
    "fr": ("fra", "Latn"),
    "hi": ("hin", "Deva"),
    "id": ("ind", "Latn"),
    "ja": ("jpn", "Jpan"),
    "ko": ("kor", "Hang"),
    "ru": ("rus", "Cyrl"),
    "sw": ("swa", "Latn"),
    "te": ("tel", "Telu"),
    "th": ("tha", "Thai"),
    "tr": ("tur", "Latn"),
    "vi": ("vie", "Latn"),
    "yo": ("yor", "Latn"),
    "zh": ("zho", "Hans"),
}


#: ISO 639-3 code -> ISO 639-1 code (the subset names use the former, the data files the latter).
ISO3_TO_1: dict[str, str] = {three: one for one, (three, _) in LANGUAGES.items()}


def iso3(code: str) -> str:
    """ISO 639-3 code of an ISO 639-1 code, e.g. ``"en" -> "eng"``."""
    return LANGUAGES[code][0]


def mteb_language(code: str) -> str:
    """MTEB's language tag, e.g. ``"en" -> "eng-Latn"``."""
    three, script = LANGUAGES[code]
    return f"{three}-{script}"
