"""Serve the maps' JavaScript and CSS from the atlas itself, never from a CDN.

folium 0.20 points every map at public CDNs (jsDelivr, cdnjs, code.jquery.com,
netdna.bootstrapcdn.com). On a closed network those requests fail, and streamlit-folium 0.27
then draws nothing at all: its component iframe loads the map's ``js_links`` one after the
other and stops at the first script that fails to load, so the map script never runs.

:func:`use_local_assets` rewrites a map so that it references only the files vendored in
``static/vendor/`` (Streamlit serves them at ``/app/static/vendor`` when
``server.enableStaticServing`` is on), and refuses a map that would still need the internet.

What the atlas's maps need, and so what is vendored (see ``static/vendor/README.md``):

* Leaflet 1.9.3 (``leaflet.js``, ``leaflet.css`` and the images the CSS refers to, e.g. the
  layer control's icon): every map. It is the version folium 0.20 asks for.
* d3 3.5.5 (``d3.min.js``): the legend of a branca colormap (``LinearColormap``,
  ``StepColormap``, and the legend :class:`folium.Choropleth` adds), drawn with the d3 v3 API.

Deliberately not vendored, and dropped from the map: jQuery (only :class:`folium.Popup`,
``GeoJson(embed=False)`` and :meth:`folium.Map.keep_in_front` use it), Bootstrap,
glyphicons, Font Awesome and Leaflet.awesome-markers (only :class:`folium.Icon` markers use
them). A map that contains one of those features is refused with :class:`OfflineAssetError`;
:class:`folium.GeoJsonPopup`, :class:`folium.GeoJsonTooltip`, :class:`folium.CircleMarker`
and :class:`folium.DivIcon` work offline.

Nothing here imports Streamlit.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import folium
from branca.colormap import ColorMap
from branca.element import Element, Figure
from folium.elements import JSCSSMixin
from folium.raster_layers import ImageOverlay, TileLayer, VideoOverlay, WmsTileLayer

from geo.errors import AtlasError, Problem

__all__ = [
    "BRANCA_D3_URL",
    "DEFAULT_BASE_URL",
    "STREAMLIT_FOLIUM_D3_V4_URL",
    "VENDORED_PACKAGES",
    "VENDOR_DIR",
    "LocalColormapLegend",
    "OfflineAssetError",
    "RemoteTilesWarning",
    "VendoredPackage",
    "asset_urls",
    "component_asset_urls",
    "is_remote_url",
    "missing_vendored_files",
    "remote_asset_urls",
    "streamlit_static_base_url",
    "use_local_assets",
    "vendored_files",
    "vendored_path",
]

#: Where Streamlit serves ``<repo>/static/vendor`` with ``server.enableStaticServing = true``.
#: An absolute path on the app's own origin, so it also works inside component iframes.
DEFAULT_BASE_URL = "/app/static/vendor"

#: ``<repo>/static/vendor`` in a source checkout.
VENDOR_DIR = Path(__file__).resolve().parents[2] / "static" / "vendor"

#: The d3 that branca 0.8 (``ColorMap.render``) and streamlit-folium 0.27 link for a legend.
BRANCA_D3_URL = "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js"
#: streamlit-folium 0.27 also puts d3 v4 in front of the links of a map with a colormap.
STREAMLIT_FOLIUM_D3_V4_URL = "https://d3js.org/d3.v4.min.js"


@dataclass(frozen=True)
class VendoredPackage:
    """One npm package whose files are copied into ``static/vendor/<name>-<version>/``.

    Parameters
    ----------
    name : str
        npm package name.
    version : str
        Exact version (what folium or branca link from the CDN).
    license : str
        SPDX licence identifier.
    integrity : str
        npm ``dist.integrity`` (SHA-512, base64) of the package tarball, checked when the
        folder is re-created by ``scripts/vendor_assets.py``.
    files : tuple of str
        Paths inside the package (as on jsDelivr ``/npm/<name>@<version>/<path>``) that are
        vendored, keeping the package's own layout so relative URLs in its CSS still work.
    used_for : str
        Which map features need it.
    license_file : str
        The package's licence file, copied next to the files as ``LICENSE``.
    """

    name: str
    version: str
    license: str
    integrity: str
    files: tuple[str, ...]
    used_for: str
    license_file: str = "LICENSE"

    @property
    def folder(self) -> str:
        """Folder of the package under ``static/vendor``, e.g. ``leaflet-1.9.3``."""
        return f"{self.name}-{self.version}"


VENDORED_PACKAGES: tuple[VendoredPackage, ...] = (
    VendoredPackage(
        name="leaflet",
        version="1.9.3",
        license="BSD-2-Clause",
        integrity=(
            "sha512-iB2cR9vAkDOu5l3HAay2obcUHZ7xwUBBjph8+PGtmW/2lYhbLizWtG7nTeYht36WfOslixQF9D/"
            "uSIzhZgGMfQ=="
        ),
        files=(
            "dist/leaflet.js",
            "dist/leaflet.css",
            "dist/images/layers.png",
            "dist/images/layers-2x.png",
            "dist/images/marker-icon.png",
            "dist/images/marker-icon-2x.png",
            "dist/images/marker-shadow.png",
        ),
        used_for="every map (folium.Map); images: layer control icon, default marker",
    ),
    VendoredPackage(
        name="d3",
        version="3.5.5",
        license="BSD-3-Clause",
        integrity=(
            "sha512-JPx0wEFxcYVcCZXgUbsy8NzVzD3zKat1KLtdCeOHPsmrpFlc09nr2/5Ls9ey7mo8SV6cWew0piLrm"
            "PVybj9I8w=="
        ),
        files=("d3.min.js",),
        used_for="branca colormap legends (LinearColormap, StepColormap, Choropleth legend)",
    ),
)

_PACKAGES = {(p.name.lower(), p.version): p for p in VENDORED_PACKAGES}

# CDN URL shapes that name an npm package and version: jsDelivr and unpkg mirror npm
# tarballs path for path; cdnjs uses its own layout, matched on the file's trailing path.
_CDN_PATTERNS = (
    re.compile(
        r"^(?:https?:)?//cdn\.jsdelivr\.net/npm/"
        r"(?P<name>(?:@[^/@]+/)?[^/@]+)@(?P<version>[^/]+)/(?P<path>[^?#]+)"
    ),
    re.compile(
        r"^(?:https?:)?//unpkg\.com/(?P<name>(?:@[^/@]+/)?[^/@]+)@(?P<version>[^/]+)/(?P<path>[^?#]+)"
    ),
    re.compile(
        r"^(?:https?:)?//cdnjs\.cloudflare\.com/ajax/libs/"
        r"(?P<name>[^/]+)/(?P<version>[^/]+)/(?P<path>[^?#]+)"
    ),
)

# Links of folium.Map.default_js / default_css that the atlas does not vendor (see module doc).
_MAP_ASSETS_NOT_VENDORED = frozenset(
    {
        "jquery",
        "bootstrap",
        "awesome_markers",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers_font_css",
        "awesome_markers_css",
        "awesome_rotate_css",
    }
)

_REMOTE_PREFIXES = ("http://", "https://", "//", "ftp://", "ws://", "wss://")


@dataclass
class OfflineAssetError(AtlasError):
    """A map would still load something from the internet, or needs a library not vendored.

    ``problems`` has one entry per element and URL or feature; ``urls`` lists the remote URLs.
    """

    urls: list[str] = field(default_factory=list)


class RemoteTilesWarning(UserWarning):
    """A map has a tile or image layer served from the internet (blank on a closed network)."""


def is_remote_url(url: str) -> bool:
    """Tell whether a URL points to another host (absolute or protocol-relative).

    Parameters
    ----------
    url : str
        A URL as written in a page or a folium link list.

    Returns
    -------
    bool
        ``True`` for ``http(s)://``, ``//host/...``, ``ftp://`` and ``ws(s)://`` URLs;
        ``False`` for paths on the page's own origin and ``data:`` / ``blob:`` URLs.
    """
    return url.strip().lower().startswith(_REMOTE_PREFIXES)


def vendored_path(url: str) -> str | None:
    """Return the vendored file that replaces a CDN URL, relative to ``static/vendor``.

    Parameters
    ----------
    url : str
        A jsDelivr (``/npm/<name>@<version>/<path>``), unpkg or cdnjs URL.

    Returns
    -------
    str or None
        E.g. ``"leaflet-1.9.3/dist/leaflet.js"``, or ``None`` when that package, version or
        file is not vendored.

    Examples
    --------
    >>> vendored_path("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css")
    'leaflet-1.9.3/dist/leaflet.css'
    >>> vendored_path("https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js")
    'd3-3.5.5/d3.min.js'
    >>> vendored_path("https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.js") is None
    True
    """
    for pattern in _CDN_PATTERNS:
        match = pattern.match(url.strip())
        if match is None:
            continue
        package = _PACKAGES.get((match["name"].lower(), match["version"]))
        if package is None:
            return None
        path = match["path"]
        if path in package.files:
            return f"{package.folder}/{path}"
        candidates = [f for f in package.files if f.endswith("/" + path)]
        return f"{package.folder}/{candidates[0]}" if len(candidates) == 1 else None
    return None


def vendored_files(root: Path = VENDOR_DIR) -> list[Path]:
    """List every file that ``static/vendor`` must hold (assets and licences).

    Parameters
    ----------
    root : Path
        The vendor folder.

    Returns
    -------
    list of Path
        Expected paths, whether or not they exist.
    """
    out: list[Path] = []
    for package in VENDORED_PACKAGES:
        out.extend(root / package.folder / f for f in package.files)
        out.append(root / package.folder / "LICENSE")
    return out


def missing_vendored_files(root: Path = VENDOR_DIR) -> list[Path]:
    """Return the vendored files that are absent (empty when the folder is complete).

    Parameters
    ----------
    root : Path
        The vendor folder.

    Returns
    -------
    list of Path
        Missing files.
    """
    return [p for p in vendored_files(root) if not p.is_file()]


def streamlit_static_base_url(base_url_path: str = "") -> str:
    """Return the URL of the vendor folder for a Streamlit server.

    Parameters
    ----------
    base_url_path : str
        Streamlit's ``server.baseUrlPath`` (``""`` when the app is served at ``/``), e.g.
        ``st.get_option("server.baseUrlPath")``.

    Returns
    -------
    str
        ``"/app/static/vendor"`` or ``"/<base_url_path>/app/static/vendor"``.
    """
    prefix = base_url_path.strip("/")
    return f"/{prefix}{DEFAULT_BASE_URL}" if prefix else DEFAULT_BASE_URL


class LocalColormapLegend(JSCSSMixin):
    """The legend of a branca colormap, with d3 linked from the vendored copy.

    branca's ``ColorMap.render`` adds cdnjs's d3 to the page header and streamlit-folium
    0.27 adds cdnjs's d3 3.5.5 and d3js.org's d3 v4 for every ``ColorMap`` in a map, so a
    colormap left in a map always fetches d3 from the internet. This element stands in for
    the colormap in the map tree: it draws the same legend with branca's own template, but is
    a ``JSCSSMixin`` (not a ``ColorMap``) whose only link is the local d3.

    Parameters
    ----------
    colormap : branca.colormap.ColorMap
        The colormap whose legend to draw. Attributes the legend lacks (colours, ticks,
        caption, width...) are read from it, and calling the legend calls the colormap.
    d3_url : str
        URL of the vendored ``d3.min.js`` (v3).
    """

    def __init__(self, colormap: ColorMap, *, d3_url: str) -> None:
        super().__init__()
        self.colormap = colormap
        self._name = colormap._name
        self._template = colormap._template
        self.default_js = [("d3", d3_url)]
        self.default_css = []

    def __getattr__(self, name: str) -> Any:
        # Only reached for attributes this element lacks: the colormap's legend data.
        if name.startswith("__") or name == "colormap":
            raise AttributeError(name)
        return getattr(self.colormap, name)

    def __call__(self, x: float) -> str:
        """Return the colormap's colour for ``x`` (hex string)."""
        return self.colormap(x)

    def render(self, **kwargs: Any) -> None:
        """Compute the legend data with branca, then render the legend into this map."""
        # Let branca compute colour domain, range and tick labels exactly as it would, on a
        # throw-away figure (whose header also receives branca's CDN d3 link, discarded).
        parent = self.colormap._parent
        self.colormap._parent = Figure()
        try:
            self.colormap.render(**kwargs)
        finally:
            self.colormap._parent = parent
        super().render(**kwargs)


def _walk(element: Element) -> Iterator[Element]:
    """Yield ``element`` and all its descendants (depth first, in child order)."""
    stack = [element]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list(getattr(current, "_children", {}).values())))


def _label(element: Element) -> str:
    return f"{type(element).__name__} {element.get_name()}"


def _unvendored_features(m: folium.Map) -> list[Problem]:
    """Features whose JavaScript library the atlas does not vendor."""
    problems: list[Problem] = []
    for element in _walk(m):
        if isinstance(element, folium.Popup):
            problems.append(
                Problem(
                    "folium map",
                    _label(element),
                    "folium.Popup needs jQuery, which is not vendored; "
                    "use folium.GeoJsonPopup or a tooltip",
                    "error",
                )
            )
        elif isinstance(element, folium.GeoJson) and not element.embed:
            problems.append(
                Problem(
                    "folium map",
                    _label(element),
                    "GeoJson(embed=False) loads its data with jQuery; embed the data",
                    "error",
                )
            )
        elif type(element) is folium.Icon:
            problems.append(
                Problem(
                    "folium map",
                    _label(element),
                    "folium.Icon needs Leaflet.awesome-markers, Bootstrap and Font Awesome, "
                    "which are not vendored; use CircleMarker, DivIcon or the default marker",
                    "error",
                )
            )
        elif isinstance(element, folium.Map) and element.objects_to_stay_in_front:
            problems.append(
                Problem(
                    "folium map",
                    _label(element),
                    "Map.keep_in_front needs jQuery, which is not vendored; "
                    "add those layers last instead",
                    "error",
                )
            )
    return problems


def _localise_links(
    element: JSCSSMixin, links: list[tuple[str, str]], base_url: str, *, drop_unused: bool
) -> tuple[list[tuple[str, str]], list[str]]:
    """Return the element's links with CDN URLs made local, and the URLs left remote."""
    out: list[tuple[str, str]] = []
    remote: list[str] = []
    for name, url in links:
        if not is_remote_url(url):
            out.append((name, url))
            continue
        if drop_unused and isinstance(element, folium.Map) and name in _MAP_ASSETS_NOT_VENDORED:
            continue
        local = vendored_path(url)
        if local is None:
            out.append((name, url))
            remote.append(url)
        else:
            out.append((name, f"{base_url}/{local}"))
    return out, remote


def _remote_layers(m: folium.Map) -> list[str]:
    """URLs of tile and image layers served from the internet."""
    urls: list[str] = []
    for element in _walk(m):
        if isinstance(element, TileLayer):
            url = element.tiles
        elif isinstance(element, (WmsTileLayer, ImageOverlay)):
            url = element.url
        elif isinstance(element, VideoOverlay):
            url = element.video_url
        else:
            continue
        if isinstance(url, str) and is_remote_url(url):
            urls.append(url)
    return urls


def use_local_assets(
    m: folium.Map, *, base_url: str = DEFAULT_BASE_URL, strict: bool = True
) -> folium.Map:
    """Make a map load its JavaScript and CSS from the vendored copies only.

    Call it on the finished map, right before ``st_folium`` / ``m.save``: elements added
    afterwards are not rewritten. The map is changed in place:

    * ``default_js`` / ``default_css`` of the map and of every ``JSCSSMixin`` descendant
      get new per-instance lists (folium's class-level lists are left alone) in which CDN
      URLs of vendored files point under ``base_url``;
    * the map's jQuery, Bootstrap, glyphicons, Font Awesome and awesome-markers links are
      dropped (nothing the atlas draws uses them);
    * every branca colormap (including a Choropleth's legend) is replaced by a
      :class:`LocalColormapLegend` that links the vendored d3.

    Calling it twice is harmless.

    Parameters
    ----------
    m : folium.Map
        The map to rewrite.
    base_url : str
        URL under which ``static/vendor`` is served: :data:`DEFAULT_BASE_URL` for Streamlit
        at ``/``; see :func:`streamlit_static_base_url` for ``server.baseUrlPath``; a
        relative path such as ``"static/vendor"`` for a saved HTML file next to ``static``.
    strict : bool
        If ``True`` (default) refuse a map that would still load JavaScript or CSS from the
        internet, or that uses a feature whose library is not vendored (the map is left
        untouched then). If ``False``, rewrite what can be rewritten, keep the rest (and the
        links those features need) remote, and warn.

    Returns
    -------
    folium.Map
        ``m`` itself, for chaining.

    Raises
    ------
    OfflineAssetError
        In strict mode, listing every remote URL and unsupported feature.

    Warns
    -----
    RemoteTilesWarning
        When a tile, WMS, image or video layer is served from the internet: the map still
        draws offline, without that layer.
    UserWarning
        In non-strict mode, for what stays remote.
    """
    base = base_url.rstrip("/")
    problems = _unvendored_features(m)
    # Without those features nothing uses the map's jQuery/Bootstrap/... links. When they
    # are present and strict is off, keep the links so the map still works online.
    drop_unused = strict or not problems

    plan: list[tuple[JSCSSMixin, list[tuple[str, str]], list[tuple[str, str]]]] = []
    remote: list[str] = []
    for element in _walk(m):
        if not isinstance(element, JSCSSMixin):
            continue
        js, js_remote = _localise_links(
            element, list(element.default_js), base, drop_unused=drop_unused
        )
        css, css_remote = _localise_links(
            element, list(element.default_css), base, drop_unused=drop_unused
        )
        plan.append((element, js, css))
        for url in js_remote + css_remote:
            remote.append(url)
            problems.append(Problem("folium map", _label(element), f"not vendored: {url}", "error"))

    if problems and strict:
        raise OfflineAssetError(
            source="folium map",
            message=(
                f"{len(problems)} thing(s) would need the internet: "
                + "; ".join(str(p) for p in problems)
            ),
            problems=problems,
            urls=list(dict.fromkeys(remote)),
        )
    if problems:
        warnings.warn(
            "map stays partly online: " + "; ".join(str(p) for p in problems),
            UserWarning,
            stacklevel=2,
        )

    for element, js, css in plan:
        element.default_js = js
        element.default_css = css
    _replace_colormaps(m, d3_url=f"{base}/{vendored_path(BRANCA_D3_URL)}")

    layers = _remote_layers(m)
    if layers:
        warnings.warn(
            "tile/image layers served from the internet will be blank offline: "
            + ", ".join(layers),
            RemoteTilesWarning,
            stacklevel=2,
        )
    return m


def _replace_colormaps(m: folium.Map, *, d3_url: str) -> None:
    """Put a :class:`LocalColormapLegend` in place of every colormap in the tree."""
    for parent in list(_walk(m)):
        children = getattr(parent, "_children", {})
        for key, child in list(children.items()):
            if not isinstance(child, ColorMap):
                continue
            legend = LocalColormapLegend(child, d3_url=d3_url)
            legend._parent = parent
            children[key] = legend  # same key: keeps the rendering order
            # e.g. Choropleth.color_scale, which Choropleth.render re-parents to the map
            for attr, value in list(vars(parent).items()):
                if value is child:
                    setattr(parent, attr, legend)


def component_asset_urls(m: folium.Map) -> list[str]:
    """List the JS then CSS URLs that streamlit-folium 0.27 will load for this map.

    ``st_folium`` does not use the ``<script src>`` / ``<link>`` tags of the rendered page
    (it strips them from the header); it walks the map tree, collects ``default_js`` and
    ``default_css`` of every ``JSCSSMixin`` element, and puts d3 v4 and d3 3.5.5 from CDNs
    in front for every branca ``ColorMap``. This mirrors that logic without Streamlit.

    Parameters
    ----------
    m : folium.Map
        The map as it will be passed to ``st_folium``.

    Returns
    -------
    list of str
        Deduplicated JS URLs in load order, then CSS URLs.
    """
    js: list[str] = []
    css: list[str] = []
    for element in _walk(m):
        if isinstance(element, ColorMap):
            js.insert(0, BRANCA_D3_URL)
            js.insert(0, STREAMLIT_FOLIUM_D3_V4_URL)
        if isinstance(element, JSCSSMixin):
            js.extend(url for _, url in element.default_js)
            css.extend(url for _, url in element.default_css)
    return list(dict.fromkeys(js)) + list(dict.fromkeys(css))


_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")
_LAYER_URL = re.compile(
    r"""L\.(?:tileLayer(?:\.wms)?|imageOverlay|videoOverlay)\(\s*(["'])(.*?)(?<!\\)\1""", re.S
)
_LOADING_ATTRS = {
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "embed": ("src",),
    "object": ("data",),
}


class _AssetParser(HTMLParser):
    """Collect URLs a browser would fetch while loading a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for attr in _LOADING_ATTRS.get(tag, ()):
            value = values.get(attr)
            if not value:
                continue
            if attr == "srcset":
                self.urls.extend(part.split()[0] for part in value.split(",") if part.strip())
            else:
                self.urls.append(value.strip())
        if values.get("style"):
            self._css(values["style"] or "")
        self._in = tag if tag in ("script", "style") else None

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "style":
            self._css(data)
        elif self._in == "script":
            self.urls.extend(m.group(2) for m in _LAYER_URL.finditer(data))

    def _css(self, text: str) -> None:
        self.urls.extend(a or b for a, b in _CSS_URL.findall(text))


def asset_urls(html: str) -> list[str]:
    """List the URLs a rendered map page makes the browser fetch.

    Covers ``<script src>``, ``<link href>``, ``<img>``/``<iframe>``/media sources,
    ``url(...)`` and ``@import`` in ``<style>`` and ``style=""``, and the URL templates of
    Leaflet tile, WMS, image and video layers created in inline scripts. Links inside
    attribution text (``<a href>``) are not fetched and not listed.

    Parameters
    ----------
    html : str
        A page, e.g. ``m.get_root().render()``.

    Returns
    -------
    list of str
        URLs in order of appearance, without duplicates (``data:`` URLs included).
    """
    parser = _AssetParser()
    parser.feed(html)
    parser.close()
    return list(dict.fromkeys(parser.urls))


def remote_asset_urls(html: str) -> list[str]:
    """List the URLs of a rendered map page that would be fetched from another host.

    Parameters
    ----------
    html : str
        A page, e.g. ``m.get_root().render()`` after :func:`use_local_assets`.

    Returns
    -------
    list of str
        The remote subset of :func:`asset_urls` (empty for a map that works offline).
    """
    return [url for url in asset_urls(html) if is_remote_url(url)]
