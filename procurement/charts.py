"""Bar charts drawn as SVG on the server: no script, and always beside a table of the same figures.

A chart is one or more series of values per bar (committed against delivered, say); its geometry
is worked out here so that the template only places shapes. Colours meet the 3:1 contrast WCAG
asks of graphics against white, and the series are told apart by the legend and the labels, not by
colour alone.
"""

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
