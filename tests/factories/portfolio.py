"""Portfolio factories, and small real files (a PDF and a PNG) for uploads."""

from __future__ import annotations

import datetime
import io

import factory
from django.core.files.base import ContentFile

from portfolio.enums import EntryKind, QuoteAs
from portfolio.models import PortfolioEntry, Poster, Testimonial

from .fellowship import FellowFactory


def pdf_bytes(text: str = "Evidence") -> bytes:
    """A small but well-formed one-page PDF."""
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
        + f"% {text}\n".encode()
        + b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def png_bytes(size: tuple[int, int] = (60, 40), colour: str = "#005eb8") -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


class PortfolioEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PortfolioEntry

    fellow = factory.SubFactory(FellowFactory)
    kind = EntryKind.PUBLICATION
    title = factory.Sequence(lambda n: f"Evaluating AI triage, part {n}")
    date = datetime.date(2024, 6, 1)


class PosterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Poster

    fellow = factory.SubFactory(FellowFactory)
    title = factory.Sequence(lambda n: f"Poster {n}")
    file = factory.LazyFunction(lambda: ContentFile(png_bytes(), name="poster.png"))
    file_kind = "png"
    file_size = factory.LazyAttribute(lambda o: o.file.size)


class TestimonialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Testimonial

    fellow = factory.SubFactory(FellowFactory)
    text = "The fellowship changed how our department adopts AI."
    # Consents given by the fellow through the service (with today's wording), not fields.
    may_quote = True
    quote_as = QuoteAs.ANONYMOUS
    may_publish = False

    @classmethod
    def _create(cls, model_class, *args, may_quote, quote_as, may_publish, **kwargs):
        from portfolio import services

        testimonial = model_class.objects.create(*args, **kwargs)
        services.save_testimonial(
            testimonial,
            by=testimonial.fellow.user,
            quote=may_quote,
            quote_as=quote_as,
            publish=may_publish and may_quote,
        )
        return testimonial
