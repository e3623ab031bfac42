"""A referral packet as PDF (WeasyPrint), one copy per applicant.

The PDF carries exactly what that copy may show: the programme's fields, and in an RRF-shaped packet
the confidential section of the copy's holder only. Nothing is fetched while rendering: no network,
no files (a packet must not be able to reach out).
"""
from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from .selectors import packet_copy


def referral_pdf(referral, *, copy: str = "principal") -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string("referrals/packet_pdf.html", {
        "referral": referral, "programme": referral.programme, "copy": packet_copy(referral, copy),
        "decisions": list(referral.decisions.order_by("decided_on", "recorded_at")),
        "generated": timezone.now(),
    })
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()
