"""Bar charts drawn as SVG on the server: no script, and always beside a table of the same figures.

A chart is one or more series of values per bar (committed against delivered, say); its geometry
is worked out here so that the template only places shapes. Colours meet the 3:1 contrast WCAG
asks of graphics against white, and the series are told apart by the legend and the labels, not by
colour alone.
"""

import math
from dataclasses import dataclass, field
from decimal import Decimal

WIDTH = 640
PLOT_WIDTH = 440  # the rest of the width holds each bar's figure
LABEL_HEIGHT = 20
BAR_HEIGHT = 14
BAR_GAP = 4
GROUP_GAP = 14
COLOURS = ("#1d70b8", "#505a5f", "#f47738")  # GOV.UK blue, dark grey, orange


@dataclass(frozen=True)
class Bar:
    label: str
    values: tuple[Decimal | None, ...]  # one a series; None where there is no figure
    texts: tuple[str, ...]  # each value as the reader should read it


@dataclass(frozen=True)
class Shape:
    y: int
    width: int
    colour: str
    text: str
    text_x: int


@dataclass(frozen=True)
class PlacedBar:
    label: str
    label_y: int
    shapes: tuple[Shape, ...]


@dataclass
class BarChart:
    title: str
    series: tuple[str, ...]
    bars: list[Bar] = field(default_factory=list)
    maximum: Decimal | None = None  # the figure a full-width bar stands for

    @property
    def legend(self) -> list[tuple[str, str]]:
        return list(zip(self.series, COLOURS, strict=False))

    @property
    def placed(self) -> list[PlacedBar]:
        top = max(
            (v for bar in self.bars for v in bar.values if v is not None), default=Decimal("0")
        )
        scale = self.maximum or top or Decimal("1")
        placed, y = [], 0
        for bar in self.bars:
            label_y = y + LABEL_HEIGHT - 6
            y += LABEL_HEIGHT
            shapes = []
            for index, (value, text) in enumerate(zip(bar.values, bar.texts, strict=True)):
                width = 0 if value is None else int(min(value, scale) * PLOT_WIDTH / scale)
                shapes.append(
                    Shape(
                        y=y,
                        width=max(width, 1 if value else 0),
                        colour=COLOURS[index % len(COLOURS)],
                        text=text,
                        text_x=width + 6,
                    )
                )
                y += BAR_HEIGHT + BAR_GAP
            placed.append(PlacedBar(bar.label, label_y, tuple(shapes)))
            y += GROUP_GAP
        return placed

    @property
    def height(self) -> int:
        per_bar = LABEL_HEIGHT + len(self.series) * (BAR_HEIGHT + BAR_GAP) + GROUP_GAP
        return max(per_bar * len(self.bars), 1)

    width = WIDTH
    bar_height = BAR_HEIGHT


# --- Radar charts -----------------------------------------------------------------------------

RADAR_WIDTH = 760  # room either side for the axes' labels
RADAR_HEIGHT = 600
RADAR_RADIUS = 170
RADAR_LABEL_GAP = 18
RADAR_LINE = 15
RADAR_LABEL_CHARS = 24
DASHES = ("", "6 4", "2 3")  # the series differ by line style as well as colour


@dataclass(frozen=True)
class Axis:
    label: str
    values: tuple[Decimal | None, ...]  # one a series, on the scale 0 to ``maximum``


@dataclass(frozen=True)
class PlacedLabel:
    x: int
    y: int
    anchor: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Outline:
    name: str
    colour: str
    dash: str
    points: str  # "x,y x,y ..." for an SVG polygon
    dots: tuple[tuple[int, int], ...]


def _wrapped(text: str, width: int) -> tuple[str, ...]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return tuple(lines)


@dataclass
class RadarChart:
    """Series of figures on a common scale (maturity levels 1 to 5, say), one spoke per axis; a
    series with no figure on some axis is drawn through the centre there."""

    title: str
    series: tuple[str, ...]
    axes: list[Axis] = field(default_factory=list)
    maximum: int = 5
    rings: tuple[tuple[int, str], ...] = ()  # (value, label) circles drawn as a scale

    width = RADAR_WIDTH
    height = RADAR_HEIGHT
    centre = RADAR_WIDTH // 2
    middle = RADAR_HEIGHT // 2

    def _point(self, index: int, value: Decimal | float) -> tuple[int, int]:
        angle = -math.pi / 2 + 2 * math.pi * index / len(self.axes)
        distance = float(value) / self.maximum * RADAR_RADIUS
        return (
            round(self.centre + distance * math.cos(angle)),
            round(self.middle + distance * math.sin(angle)),
        )

    @property
    def spokes(self) -> list[tuple[int, int]]:
        return [self._point(index, self.maximum) for index in range(len(self.axes))]

    @property
    def ring_shapes(self) -> list[tuple[int, int, str]]:
        """Each ring's radius, and where its label sits (just right of the top spoke)."""
        shapes = []
        for value, label in self.rings:
            radius = round(value / self.maximum * RADAR_RADIUS)
            shapes.append((radius, self.middle - radius, label))
        return shapes

    @property
    def labels(self) -> list[PlacedLabel]:
        placed = []
        for index, axis in enumerate(self.axes):
            x, y = self._point(index, self.maximum + self.maximum * RADAR_LABEL_GAP / RADAR_RADIUS)
            lines = _wrapped(axis.label, RADAR_LABEL_CHARS)
            if abs(x - self.centre) < 10:
                anchor = "middle"
            else:
                anchor = "start" if x > self.centre else "end"
            # Above the centre the block of lines grows upwards, below it downwards.
            top = y - (len(lines) - 1) * RADAR_LINE if y < self.middle else y + 4
            placed.append(PlacedLabel(x, top, anchor, lines))
        return placed

    @property
    def outlines(self) -> list[Outline]:
        outlines = []
        for position, name in enumerate(self.series):
            dots = tuple(
                self._point(index, axis.values[position] or 0)
                for index, axis in enumerate(self.axes)
            )
            outlines.append(
                Outline(
                    name=name,
                    colour=COLOURS[position % len(COLOURS)],
                    dash=DASHES[position % len(DASHES)],
                    points=" ".join(f"{x},{y}" for x, y in dots),
                    dots=dots,
                )
            )
        return outlines

    @property
    def legend(self) -> list[tuple[str, str, str]]:
        return [(o.name, o.colour, o.dash) for o in self.outlines]
