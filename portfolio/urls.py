"""Portfolio URLs: a fellow's own portfolio, its entries, poster, testimonial, public profile and
files, and the faculty's (and supervisors') lists, poster gallery and quotable testimonials."""

from django.urls import path

from .views import faculty, fellows, public_profile

urlpatterns = [
    path("portfolio/", fellows.my_portfolio, name="my_portfolio"),
    path("portfolio/fellows/", faculty.portfolio_list, name="portfolio_list"),
    path("portfolio/posters/", faculty.poster_gallery, name="poster_gallery"),
    path("portfolio/testimonials/", faculty.testimonial_list, name="testimonial_list"),
    path("portfolio/fellows/<str:ref>/", fellows.portfolio_detail, name="portfolio_detail"),
    path("portfolio/fellows/<str:ref>/pdf/", fellows.portfolio_pdf, name="portfolio_pdf"),
    path("portfolio/fellows/<str:ref>/entries/new/", fellows.entry_create, name="entry_create"),
    path(
        "portfolio/fellows/<str:ref>/entries/<int:pk>/edit/",
        fellows.entry_update,
        name="entry_update",
    ),
    path(
        "portfolio/fellows/<str:ref>/entries/<int:pk>/remove/",
        fellows.entry_delete,
        name="entry_delete",
    ),
    path(
        "portfolio/fellows/<str:ref>/entries/<int:pk>/evidence/",
        fellows.entry_evidence,
        name="entry_evidence",
    ),
    path("portfolio/fellows/<str:ref>/poster/", fellows.poster_edit, name="poster_edit"),
    path("portfolio/fellows/<str:ref>/poster/file/", fellows.poster_file, name="poster_file"),
    path(
        "portfolio/fellows/<str:ref>/testimonial/",
        fellows.testimonial_edit,
        name="testimonial_edit",
    ),
    path(
        "portfolio/fellows/<str:ref>/consents/<int:pk>/withdraw/",
        fellows.consent_withdraw,
        name="consent_withdraw",
    ),
    path(
        "portfolio/fellows/<str:ref>/public-profile/",
        public_profile.public_profile_edit,
        name="public_profile_edit",
    ),
    path(
        "portfolio/fellows/<str:ref>/public-profile/<str:purpose>/withdraw/",
        public_profile.public_consent_withdraw,
        name="public_consent_withdraw",
    ),
]
