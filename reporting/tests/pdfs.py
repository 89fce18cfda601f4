"""What a PDF is set in, read from the font files embedded in it."""

import io

import pypdf
from fontTools.ttLib import TTFont

# The shipped family's files, by the PostScript name each gives itself.
SHIPPED = {
    "SourceSansPro-Regular",
    "SourceSansPro-Bold",
    "SourceSansPro-It",
    "SourceSansPro-BoldIt",
}


def embedded_fonts(pdf: pypdf.PdfReader) -> set[str]:
    """The PostScript name of every font the PDF's pages use, as the embedded file gives it (a
    PDF's own name for a font is its CSS family's); the PDF's name for one not embedded."""
    names: set[str] = set()
    seen: set[int] = set()

    def read(resources) -> None:
        resources = resources.get_object() if resources else {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            described = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            descriptor = described.get("/FontDescriptor")
            embedded = descriptor and descriptor.get_object().get("/FontFile2")
            if embedded:
                data = io.BytesIO(embedded.get_object().get_data())
                names.add(TTFont(data)["name"].getDebugName(6))
            else:
                names.add(str(font["/BaseFont"]))
        for drawing in (resources.get("/XObject") or {}).values():
            drawing = drawing.get_object()
            if id(drawing) not in seen and "/Resources" in drawing:
                seen.add(id(drawing))
                read(drawing["/Resources"])

    for page in pdf.pages:
        read(page.get("/Resources"))
    return names
