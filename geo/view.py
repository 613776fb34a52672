"""What the reader looks at, as one value: :class:`MapView`.

The app makes one from its widgets, the command line from its options; maps, prints, exports and
cache keys all take it, so a new aspect of the view (a boundary vintage, a second period) is added
in one place instead of to every call.

Examples
--------
>>> view = MapView(layer="ntm_level", period=2024, lang="en")
>>> view.periods, view.is_change, view.area
((2024,), False, 'whole')
>>> change = view.replace(compare_from=2019)
>>> change.periods, change.is_change
((2019, 2024), True)
>>> view.replace(district_code="148").area
'148'
>>> MapView(layer="models_density", period=2019, breaks=[1, 2.5, 5]).classification
{'scheme': 'fisher_jenks', 'k': 5, 'breaks': (1.0, 2.5, 5.0)}
>>> MapView(layer=DEFAULT_LAYER, period=2019).layer
'models_per_1000'
>>> MapView(layer="models_per_1000", period=2024, same_classes=True).fixed_classes
True
>>> MapView(layer="models_per_1000", period=2024, same_classes=True, breaks=[5]).fixed_classes
False
>>> MapView(layer="ntm", period=2026, vintage="2020-2025", estimate=True).estimate
True
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from geo.i18n import LANGUAGES, Lang
from geo.schema import VINTAGE_2020_2025

__all__ = [
    "DEFAULT_GEOGRAPHY",
    "DEFAULT_K",
    "DEFAULT_LAYER",
    "DEFAULT_SCHEME",
    "FALLBACK_LAYER",
    "WHOLE_AREA",
    "MapView",
]

#: Key of the embedded default geography (see :func:`geo.geography.available_geographies`).
DEFAULT_GEOGRAPHY = "default"
#: Classification a map gets when nobody chose one: natural breaks in five classes.
DEFAULT_SCHEME = "fisher_jenks"
DEFAULT_K = 5
#: The first layer of the atlas: a map opens on it, and a view of every layer (the province
#: brief, the district summary) names it, since a view always has a layer. Models per 1,000
#: residents: a rate a leader compares at a glance, little skewed (skewness about 1.6 on the demo
#: figures, against 6 for models per km², where a few small towns take the dark classes and
#: two thirds of the communes the palest). Without population the app opens on
#: :data:`FALLBACK_LAYER`.
DEFAULT_LAYER = "models_per_1000"
#: The first layer when the figures have no population (no rate per resident).
FALLBACK_LAYER = "models_density"
#: :attr:`MapView.area` of a view of the whole geography (no district chosen).
WHOLE_AREA = "whole"


@dataclass(frozen=True, kw_only=True)
class MapView:
    """One view of the atlas: geography and vintage, layer, period(s), area, classes, language.

    Parameters
    ----------
    layer : str
        Key of the map layer (:data:`geo.web.layers.LAYERS`, or a change layer).
    period : int
        The period shown; on a change map, the later of the two.
    compare_from : int, optional
        The earlier period of a change map; ``None`` for a map of one period.
    geography_key : str
        Which geography (boundary layer) the map is drawn on.
    vintage : str
        The boundary vintage of that geography (``"2020-2025"``, ``"2019"``, …).
    district_code : str, optional
        The area: a district's code, or ``None`` for the whole geography.
    scheme, k, breaks
        Classification: a scheme of :data:`geo.web.maps.SCHEMES` with ``k`` classes, or manual
        upper ``breaks``.
    same_classes : bool
        Compute the classes once over every period of the layer (see
        :attr:`fixed_classes`), so that maps of two periods compare by eye.
    lang : {"vi", "en"}
        Language of every text on the map and in the files.
    demo : bool
        The figures are demo data, and everything that shows them says so.
    estimate : bool
        Some period shown has figures of newer units estimated on this older map by area share
        (:func:`geo.analysis.vintages.tables_for` with ``estimate=True``), and everything that
        shows them says so. Part of the cache key: estimated figures are cached apart.
    """

    layer: str
    period: int
    compare_from: int | None = None
    geography_key: str = DEFAULT_GEOGRAPHY
    vintage: str = VINTAGE_2020_2025
    district_code: str | None = None
    scheme: str = DEFAULT_SCHEME
    k: int = DEFAULT_K
    breaks: tuple[float, ...] | None = None
    same_classes: bool = False
    lang: Lang = "vi"
    demo: bool = False
    estimate: bool = False

    def __post_init__(self) -> None:
        if self.lang not in LANGUAGES:
            raise ValueError(f"unknown language {self.lang!r}; use one of {LANGUAGES}")
        if self.compare_from is not None and self.compare_from >= self.period:
            raise ValueError(f"compare_from {self.compare_from} must be before {self.period}")
        if self.breaks is not None:
            # a list from a widget or the CLI becomes a tuple: the view stays hashable
            object.__setattr__(self, "breaks", _floats(self.breaks) or None)

    @property
    def periods(self) -> tuple[int, ...]:
        """The period, or the two periods of a change map, oldest first."""
        if self.compare_from is None:
            return (self.period,)
        return (self.compare_from, self.period)

    @property
    def is_change(self) -> bool:
        """A change map between two periods."""
        return self.compare_from is not None

    @property
    def area(self) -> str:
        """The district's code, or ``"whole"`` for the whole geography."""
        return self.district_code or WHOLE_AREA

    @property
    def classification(self) -> dict[str, Any]:
        """``scheme``, ``k`` and ``breaks`` as keywords of :func:`geo.web.maps.classify_layer`."""
        return {"scheme": self.scheme, "k": self.k, "breaks": self.breaks}

    @property
    def fixed_classes(self) -> bool:
        """Classes computed over every period: asked for, on a map of one period, by a scheme.

        Manual breaks are the same for every period anyway, and a change map has one pair of
        periods only.
        """
        return self.same_classes and not self.is_change and self.breaks is None

    def replace(self, **changes: Any) -> MapView:
        """A copy with ``changes`` applied (the view is immutable)."""
        return dataclasses.replace(self, **changes)

    def cache_key(self) -> tuple[object, ...]:
        """Every field, in order: equal views share a cached map or file."""
        return dataclasses.astuple(self)


def _floats(values: Sequence[float]) -> tuple[float, ...]:
    return tuple(float(v) for v in values)
